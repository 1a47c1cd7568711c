#!/usr/bin/env node
// Builds the package into dist/: the TypeScript compiled by tsc (JavaScript, declarations and
// source maps, from tsconfig.build.json) and the dashboard (scripts/build-web.mjs). `npm ci`
// runs it through the `prepare` script, so that a checkout's `textkit` command and
// `import "textkit"` work, and start fast, without a separate step. Offline: it only runs the
// compilers installed in node_modules.
//
// dist/ is emptied first, so that nothing compiled from a deleted source survives, and
// dist/build-info.json is written last, with the time the build started: bin/textkit.js
// runs dist/ only when that file exists and no file under src/ changed after that time
// (otherwise it runs the TypeScript source through tsx), so a stale or half-written build
// never shadows the source.
import { spawnSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeWeb } from "./build-web.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");

const startedAtMs = Date.now();
await rm(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (compiled.status !== 0) {
  console.error("build: tsc failed; dist/ is incomplete and bin/textkit.js will run the TypeScript source");
  process.exit(compiled.status ?? 1);
}
await writeWeb(join(DIST, "web"));
await writeFile(join(DIST, "build-info.json"), `${JSON.stringify({ startedAtMs }, null, 2)}\n`);
console.log(`build: dist/ written in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
