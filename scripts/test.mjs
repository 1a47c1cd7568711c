#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner. Node 20's runner does
// not expand glob patterns itself, so this script finds the files; extra arguments (for
// example a path fragment) narrow the run to files whose path contains one of them.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...find(path));
    else if (entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ["src", "test"]
  .flatMap(find)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? "spec";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-reporter=${reporter}`, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
