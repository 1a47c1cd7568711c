/**
 * bin/textkit.js chooses between the compiled CLI in dist/ and the TypeScript source: it runs
 * dist/ only when a whole build (dist/build-info.json) is at least as new as every file
 * under src/, so a stale build never shadows the source a developer is editing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "textkit-bin-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A package root with the real bin/textkit.js and a main() in dist/ and in src/ that say which ran. */
function layout(): void {
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "dist", "cli"), { recursive: true });
  mkdirSync(join(root, "src", "cli"), { recursive: true });
  copyFileSync(join(repo, "bin", "textkit.js"), join(root, "bin", "textkit.js"));
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(repo, "node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(
    join(root, "dist", "cli", "main.js"),
    'export async function main() { process.stdout.write("dist"); return 0; }\n',
  );
  writeFileSync(
    join(root, "src", "cli", "main.ts"),
    'export async function main(): Promise<number> { process.stdout.write("src"); return 0; }\n',
  );
}

function ranFrom(): string {
  const result = spawnSync(process.execPath, [join(root, "bin", "textkit.js"), "--version"], {
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

function setTime(path: string, ms: number): void {
  utimesSync(path, ms / 1000, ms / 1000);
}

describe("bin/textkit.js", () => {
  layout();
  const buildInfo = join(root, "dist", "build-info.json");
  const started = Date.now() - 60_000;
  for (const path of [join(root, "src"), join(root, "src", "cli"), join(root, "src", "cli", "main.ts")]) {
    setTime(path, started - 60_000);
  }

  it("runs the source when dist/ holds no whole build", () => {
    assert.equal(ranFrom(), "src");
  });

  it("runs dist/ when the build started after the last change under src/", () => {
    writeFileSync(buildInfo, JSON.stringify({ startedAtMs: started }));
    assert.equal(ranFrom(), "dist");
  });

  it("runs the source again once a file under src/ changes after the build", () => {
    setTime(join(root, "src", "cli", "main.ts"), started + 1000);
    assert.equal(ranFrom(), "src");
  });
});
