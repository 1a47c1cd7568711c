/**
 * The dashboard's entry point: the top bar, the hash router (#/monitor, #/models, #/assist,
 * #/recommend, #/runs, #/radar)
 * and the refresh every 10 s, paused while the tab is hidden.
 */
import { ApiClient, ApiError } from "./api.ts";
import { AssistPage } from "./assist-page.ts";
import { registerChartParts } from "./charts.ts";
import { h, replaceChildren } from "./dom.ts";
import { ErrorBanner } from "./error-banner.ts";
import { KeyControl } from "./key-control.ts";
import { ModelsPage } from "./models-page.ts";
import { MonitorPage } from "./monitor-page.ts";
import type { Page, PageContext } from "./page.ts";
import { RadarPage } from "./radar-page.ts";
import { RecommendPage } from "./recommend-page.ts";
import { RunsPage } from "./runs-page.ts";

const REFRESH_MS = 10_000;
const ROUTES = [
  { path: "/monitor", title: "Monitor" },
  { path: "/models", title: "Models" },
  { path: "/assist", title: "Assistant" },
  { path: "/recommend", title: "Recommend" },
  { path: "/runs", title: "Runs" },
  { path: "/radar", title: "Radar" },
] as const;
type RoutePath = (typeof ROUTES)[number]["path"];

/** The route and its parameters from the address's hash: "#/monitor?range=6h". */
function parseHash(hash: string): { path: RoutePath; params: URLSearchParams } {
  const raw = hash.replace(/^#/, "");
  const [path = "", query = ""] = raw.split("?", 2);
  const known = ROUTES.find((r) => r.path === path);
  return { path: known?.path ?? "/monitor", params: new URLSearchParams(query) };
}

/** Builds the dashboard into `root` and starts it. */
function start(root: HTMLElement): void {
  registerChartParts();
  const api = new ApiClient(sessionStorage);
  const banner = new ErrorBanner();
  let page: Page | null = null;
  let lastRefresh = 0;

  const refresh = async (): Promise<void> => {
    lastRefresh = Date.now();
    await page?.refresh();
  };
  const keys = new KeyControl(api, () => void refresh());
  const context: PageContext = {
    api,
    report(error) {
      if (error instanceof ApiError && error.status === 401) keys.requireKey(error.message);
      banner.show(error);
    },
    clearError: () => banner.clear(),
  };

  const links = ROUTES.map((r) =>
    h("a", { attrs: { href: `#${r.path}` }, dataset: { route: r.path } }, r.title),
  );
  const main = h("main", { className: "content", attrs: { id: "content" } });
  replaceChildren(
    root,
    h(
      "header",
      { className: "top-bar" },
      h("h1", { className: "brand" }, "textkit"),
      h("nav", { attrs: { "aria-label": "Pages" } }, ...links),
      keys.element,
    ),
    banner.element,
    main,
  );

  const route = (): void => {
    const { path, params } = parseHash(location.hash);
    page?.unmount();
    banner.clear();
    for (const link of links) {
      if (link.dataset["route"] === path) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${ROUTES.find((r) => r.path === path)!.title} · textkit`;
    page =
      path === "/models"
        ? new ModelsPage(context)
        : path === "/assist"
          ? new AssistPage(context, params, sessionStorage)
          : path === "/recommend"
            ? new RecommendPage(context, params)
            : path === "/runs"
              ? new RunsPage(context, params)
              : path === "/radar"
                ? new RadarPage(context, params)
                : new MonitorPage(context, params);
    page.mount(main);
    void refresh();
  };

  window.addEventListener("hashchange", route);
  setInterval(() => {
    if (document.visibilityState === "visible") void refresh();
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    // Catch up at once when the tab comes back after missing a refresh.
    if (document.visibilityState === "visible" && Date.now() - lastRefresh >= REFRESH_MS) void refresh();
  });
  route();
}

const root = document.getElementById("app");
if (root !== null) start(root);
