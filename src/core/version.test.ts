import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { TEXTKIT_VERSION } from "./version.ts";

test("the version constant is package.json's version", () => {
  const pkg: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.ok(typeof pkg === "object" && pkg !== null && "version" in pkg);
  assert.equal(TEXTKIT_VERSION, pkg.version);
});
