import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { activeVersionDir, PIN_FILE, readModelLayout, versionPreference } from "./model-versions.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-versions-"));
after(() => rmSync(root, { recursive: true, force: true }));

function version(model: string, name: string, withManifest = true): string {
  const dir = join(root, model, name);
  mkdirSync(dir, { recursive: true });
  if (withManifest) writeFileSync(join(dir, "manifest.json"), "{}");
  return dir;
}

describe("readModelLayout and activeVersionDir", () => {
  it("a folder with a manifest is the model itself", async () => {
    const dir = version("single", ".");
    assert.deepEqual(await readModelLayout(dir), { layout: "single", dir });
    assert.equal(await activeVersionDir(dir), dir);
  });

  it("chooses the newest version, numeric-aware, skipping dot folders, bad names and folders without a manifest", async () => {
    version("many", "v2");
    version("many", "v10");
    version("many", ".v99");
    version("many", "v11", false);
    version("many", "-v12");
    const outside = version("elsewhere", "v9");
    symlinkSync(outside, join(root, "many", "v9"));
    const layout = await readModelLayout(join(root, "many"));
    assert.equal(layout?.layout, "versions");
    if (layout?.layout !== "versions") return;
    assert.deepEqual(
      layout.versions.map((v) => v.version),
      ["v2", "v9", "v10"],
    );
    assert.equal(layout.pinned, null);
    assert.equal(await activeVersionDir(join(root, "many")), join(root, "many", "v10"));
  });

  it("follows a pin to a version that exists, and ignores one naming none", async () => {
    version("pinned", "v1");
    version("pinned", "v2");
    writeFileSync(join(root, "pinned", PIN_FILE), "v1\n");
    assert.equal(await activeVersionDir(join(root, "pinned")), join(root, "pinned", "v1"));
    writeFileSync(join(root, "pinned", PIN_FILE), "v7\n");
    assert.equal(await activeVersionDir(join(root, "pinned")), join(root, "pinned", "v2"));
  });

  it("a folder with no model in it is null", async () => {
    version("empty", "v1", false);
    assert.equal(await readModelLayout(join(root, "empty")), null);
    assert.equal(await activeVersionDir(join(root, "missing")), null);
  });
});

describe("versionPreference", () => {
  const v = (version: string) => ({ version });
  it("is the pinned version first, then newest first", () => {
    assert.deepEqual(versionPreference([v("a"), v("b"), v("c")], "a"), [v("a"), v("c"), v("b")]);
    assert.deepEqual(versionPreference([v("a"), v("b"), v("c")], null), [v("c"), v("b"), v("a")]);
    assert.deepEqual(versionPreference([v("a"), v("b")], "zz"), [v("b"), v("a")]);
  });
});
