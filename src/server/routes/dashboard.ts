/**
 * The web dashboard (web/) as static files under /dashboard/. The files come from dist/web/
 * (`npm run build:web`); in a source checkout without that folder, or with web/ changed
 * since it was built, they are bundled in memory once, on the first request, with esbuild.
 * The pages are public: the API calls they make carry the person's key and are authorised
 * by the API itself.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { TextkitError } from "../../core/index.ts";

/** Every file the dashboard has, with its content type; nothing else is ever served. */
export const DASHBOARD_FILES = {
  "index.html": "text/html; charset=utf-8",
  "main.js": "text/javascript; charset=utf-8",
  "main.js.map": "application/json; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
} as const;
type DashboardFile = keyof typeof DASHBOARD_FILES;

/** Files without which the page cannot work; the source map is optional. */
const REQUIRED_FILES: readonly DashboardFile[] = ["index.html", "main.js", "style.css"];

/**
 * Scripts, styles and API calls from this origin only: no inline script or style, no
 * framing. Chart.js sizes its canvas through the CSSOM, which style-src does not restrict.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** dist/web/ of this package: the same path from src/server/routes/ (tsx) and dist/server/routes/ (built). */
const DEFAULT_DIST_DIR = fileURLToPath(new URL("../../../dist/web/", import.meta.url));
const DEFAULT_SOURCE_DIR = fileURLToPath(new URL("../../../web/", import.meta.url));
const BUILD_SCRIPT = new URL("../../../scripts/build-web.mjs", import.meta.url);

export interface DashboardRoutesOptions {
  /** Where the built files are looked for first (default: the package's dist/web/). */
  distDir?: string;
  /**
   * The dashboard's sources (default: the package's web/, absent from an installed package).
   * When a file there is newer than the build in distDir, the build is stale and the files
   * are built in memory instead, so that a checkout never serves an old dashboard.
   */
  sourceDir?: string;
  /**
   * Builds the files in memory when distDir has none (default: `buildWeb` of
   * scripts/build-web.mjs, which needs esbuild); null: never build, answer 503 instead.
   */
  build?: (() => Promise<Map<string, Uint8Array>>) | null;
}

interface ServedFile {
  body: Buffer;
  etag: string;
}

type Bundle = Map<DashboardFile, ServedFile>;

function isDashboardFile(name: string): name is DashboardFile {
  return Object.hasOwn(DASHBOARD_FILES, name);
}

function served(content: Uint8Array): ServedFile {
  const body = Buffer.from(content);
  return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** The built files in `dir` and when they were built, or null when it holds no (whole) build. */
async function readDist(dir: string): Promise<{ bundle: Bundle; builtAtMs: number } | null> {
  const bundle: Bundle = new Map();
  let builtAtMs = Number.POSITIVE_INFINITY;
  for (const name of Object.keys(DASHBOARD_FILES) as DashboardFile[]) {
    try {
      const path = join(dir, name);
      bundle.set(name, served(await readFile(path)));
      builtAtMs = Math.min(builtAtMs, (await stat(path)).mtimeMs);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return REQUIRED_FILES.every((name) => bundle.has(name)) ? { bundle, builtAtMs } : null;
}

/** The latest modification time of any file under `dir`; 0 when there is no such folder. */
async function newestChange(dir: string): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  let newest = 0;
  for (const entry of entries) newest = Math.max(newest, (await stat(join(dir, entry))).mtimeMs);
  return newest;
}

/** `buildWeb` of scripts/build-web.mjs, imported only when needed: esbuild is a dev dependency. */
async function buildWithEsbuild(): Promise<Map<string, Uint8Array>> {
  const script: { buildWeb?: () => Promise<Map<string, Uint8Array>> } = await import(BUILD_SCRIPT.href);
  if (typeof script.buildWeb !== "function") throw new Error(`${BUILD_SCRIPT.href} exports no buildWeb`);
  return script.buildWeb();
}

function fromBuild(files: Map<string, Uint8Array>): Bundle {
  const bundle: Bundle = new Map();
  for (const [name, content] of files) if (isDashboardFile(name)) bundle.set(name, served(content));
  const missing = REQUIRED_FILES.filter((name) => !bundle.has(name));
  if (missing.length > 0) throw new Error(`the dashboard build made no ${missing.join(", ")}`);
  return bundle;
}

function securityHeaders(reply: FastifyReply): void {
  reply.header("content-security-policy", DASHBOARD_CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  // File names carry no content hash, so the browser revalidates each time (cheap: ETag, 304).
  reply.header("cache-control", "no-cache");
}

/**
 * GET /dashboard/ (the page), its files under /dashboard/, and GET / redirecting there.
 * Register at the top level, not under /v1.
 *
 * @example
 * await app.register(dashboardRoutes);
 * // tests: await app.register(dashboardRoutes, { distDir: "/nowhere", build: null });
 */
export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, options) => {
  const distDir = options.distDir ?? DEFAULT_DIST_DIR;
  const sourceDir = options.sourceDir ?? DEFAULT_SOURCE_DIR;
  const build = options.build === undefined ? buildWithEsbuild : options.build;
  const load = async (): Promise<Bundle> => {
    const dist = await readDist(distDir);
    if (dist !== null && (build === null || (await newestChange(sourceDir)) <= dist.builtAtMs))
      return dist.bundle;
    if (build === null) throw new Error(`${distDir} holds no built dashboard`);
    try {
      return fromBuild(await build());
    } catch (error) {
      if (dist === null) throw error;
      app.log.warn(
        { err: error },
        "web/ changed since dist/web was built, and cannot be built here; serving dist/web",
      );
      return dist.bundle;
    }
  };
  // Shared by concurrent first requests; a failure is not kept, so that a later
  // `npm run build:web` takes effect without a restart.
  let loading: Promise<Bundle> | null = null;
  const bundle = (): Promise<Bundle> => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };

  app.addHook("onSend", async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });

  const send = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    if (!isDashboardFile(name)) throw new TextkitError("NOT_FOUND", `the dashboard has no file '${name}'`);
    let files: Bundle;
    try {
      files = await bundle();
    } catch (error) {
      // The reason (often a path on this machine) goes to the log, not to the browser.
      request.log.warn({ err: error }, "the dashboard is not built and could not be built");
      throw new TextkitError(
        "DASHBOARD_NOT_BUILT",
        "the dashboard's files are not built: run `npm run build:web`, then reload this page",
      );
    }
    const file = files.get(name);
    if (file === undefined) throw new TextkitError("NOT_FOUND", `the dashboard has no file '${name}'`);
    reply.header("etag", file.etag);
    reply.type(DASHBOARD_FILES[name]);
    if (request.headers["if-none-match"] === file.etag) return reply.status(304).send();
    return reply.send(file.body);
  };

  const hidden = { schema: { hide: true } };
  app.get("/", hidden, async (_request, reply) => reply.redirect("/dashboard/", 302));
  app.get("/dashboard", hidden, async (_request, reply) => reply.redirect("/dashboard/", 301));
  app.get("/dashboard/", hidden, async (request, reply) => send(request, reply, "index.html"));
  app.get<{ Params: { "*": string } }>("/dashboard/*", hidden, async (request, reply) =>
    send(request, reply, request.params["*"] === "" ? "index.html" : request.params["*"]),
  );
};
