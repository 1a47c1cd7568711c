/**
 * The API reference builds: TypeDoc reads the TSDoc comments of the public entry points
 * (textkit and textkit/server) with warnings treated as errors, so a broken {@link}, an
 * unknown tag or a comment TypeDoc cannot parse fails the suite. `npm run docs` writes the
 * HTML to docs/api/. typedoc.json skips TypeScript's own error checking (`npm run typecheck`
 * does it for the whole project): it took two thirds of TypeDoc's time here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";

const ROOT = join(import.meta.dirname, "..");

it("TypeDoc builds the API reference without a warning", () => {
  const typedoc = join(ROOT, "node_modules", "typedoc", "bin", "typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--emit", "none"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(`${run.stdout}${run.stderr}`, /warning|error/i);
});
