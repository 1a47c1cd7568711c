import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REDIS_SETTINGS } from "../src/apps/monitor/index.ts";
import { runCli } from "./support/cli-run.ts";

describe("textkit monitor --help", () => {
  it("documents every Redis setting with its default, and keeps the example's indentation", async () => {
    const result = await runCli(["monitor", "--help"]);
    assert.equal(result.code, 0, result.stderr);
    for (const key of REDIS_SETTINGS) assert.match(result.stdout, new RegExp(`^  ${key} +\\S`, "m"), key);
    assert.match(result.stdout, /claimIdle .*\n.*\(default 5 s\): takeover within\n +claimIdle \+ 1 s/);
    assert.match(result.stdout, /removeIdle .*\n +\(default 10 minutes\)/);
    // The example's continuation lines are not wrapped back to column 0.
    assert.match(result.stdout, /^ {3}"rules": \[/m);
    assert.match(result.stdout, /^ {14}"window": "1h"/m);
  });
});
