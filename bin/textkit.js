#!/usr/bin/env node
// Runs the compiled CLI (dist/, written by `npm run build`, which `npm ci` runs through
// `prepare`) when it is a whole build at least as new as the source, else the TypeScript
// source through tsx. A whole build is one that left dist/build-info.json; it is stale when
// a file under src/ changed after the build started. An installed package has no src/, so
// it always runs dist/; a checkout being edited runs what is on disk, never an old build.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "cli", "main.js");

/** When the build in dist/ started (ms), or null when dist/ holds no whole build. */
function buildStartedAtMs() {
  try {
    const info = JSON.parse(readFileSync(join(root, "dist", "build-info.json"), "utf8"));
    return typeof info.startedAtMs === "number" && existsSync(compiled) ? info.startedAtMs : null;
  } catch {
    return null;
  }
}

/** True when a file under src/ changed at or after `sinceMs`. */
function sourceChangedSince(sinceMs) {
  const src = join(root, "src");
  if (!existsSync(src)) return false;
  for (const entry of readdirSync(src, { recursive: true })) {
    if (statSync(join(src, entry)).mtimeMs >= sinceMs) return true;
  }
  return false;
}

const builtAt = buildStartedAtMs();
if (builtAt !== null && !sourceChangedSince(builtAt)) {
  const { main } = await import(pathToFileURL(compiled).href);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
  process.exitCode = await main(process.argv.slice(2));
}
