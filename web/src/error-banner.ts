import { ApiError } from "./api.ts";
import { h, replaceChildren } from "./dom.ts";

/**
 * The visible banner for failed calls: the server's message and hint. An unexpected error
 * shows its message only; a stack trace means nothing to the person reading it.
 *
 * @example
 * const banner = new ErrorBanner();
 * document.body.prepend(banner.element);
 * banner.show(new ApiError(503, "MONITOR_BUSY", "the monitor is busy", "retry later"));
 */
export class ErrorBanner {
  readonly element: HTMLElement;

  constructor() {
    this.element = h("div", { className: "banner", testId: "error-banner", attrs: { role: "alert" } });
    this.element.hidden = true;
  }

  show(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof ApiError ? error.hint : "";
    const code = error instanceof ApiError ? error.code : null;
    replaceChildren(
      this.element,
      h(
        "div",
        { className: "banner-text" },
        h("strong", { testId: "error-message" }, message),
        code !== null && h("span", { className: "banner-code" }, ` (${code})`),
        hint !== "" && h("p", { className: "banner-hint", testId: "error-hint" }, hint),
      ),
      h(
        "button",
        { className: "banner-close", attrs: { type: "button" }, onClick: () => this.clear() },
        "Dismiss",
      ),
    );
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
  }
}
