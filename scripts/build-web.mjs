#!/usr/bin/env node
// Builds the dashboard (web/) into dist/web/: web/src/main.ts bundled with esbuild (with
// Chart.js), plus index.html and style.css. `buildWeb()` builds the same files in memory;
// the server calls it when dist/web/ is missing, so that `npm run dev`-style use needs no
// build step. Run: node scripts/build-web.mjs [--out DIR]
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = join(ROOT, "web");
/** Files copied as they are, beside the bundle. */
const STATIC_FILES = ["index.html", "style.css"];

/**
 * Builds the dashboard's files in memory.
 *
 * @returns {Promise<Map<string, Uint8Array>>} file name (main.js, main.js.map, index.html, style.css) to content
 * @example
 * const files = await buildWeb();
 * files.get("main.js");
 */
export async function buildWeb() {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(WEB, "src", "main.ts")],
    outdir: join(ROOT, "dist", "web"),
    entryNames: "main",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: true,
    // Licences of the bundled libraries (Chart.js) stay at the end of main.js.
    legalComments: "eof",
    write: false,
    logLevel: "silent",
  });
  const files = new Map();
  for (const file of result.outputFiles) files.set(basename(file.path), file.contents);
  for (const name of STATIC_FILES) files.set(name, await readFile(join(WEB, name)));
  return files;
}

/**
 * Writes the dashboard into `outDir` (default dist/web), replacing what was there.
 *
 * @param {string} [outDir]
 * @returns {Promise<string[]>} the file names written
 */
export async function writeWeb(outDir = join(ROOT, "dist", "web")) {
  const files = await buildWeb();
  // A fresh folder, renamed into place, so that a server never sees half a build.
  const staging = `${outDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [name, content] of files) await writeFile(join(staging, name), content);
  await mkdir(dirname(outDir), { recursive: true });
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return [...files.keys()].sort();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--out");
  const outDir = at === -1 ? undefined : process.argv[at + 1];
  try {
    const names = await writeWeb(outDir);
    console.log(`dashboard built into ${outDir ?? "dist/web"}: ${names.join(", ")}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
