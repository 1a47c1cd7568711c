import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeArtifact } from "../artifact/index.ts";
import { TextkitError } from "../core/index.ts";
import { compareVersions, type FamilyLoader, ModelRegistry } from "./registry.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-registry-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A family whose model answers with the `answer` of its manifest options. */
const echo: FamilyLoader = async (_dir, manifest) => {
  if (manifest.options["broken"] === true) throw new TextkitError("ARTIFACT_CORRUPT", "broken on purpose");
  return { predict: (inputs) => inputs.map(() => manifest.options["answer"]) };
};

async function version(dir: string, answer: string, broken = false): Promise<void> {
  await writeArtifact(
    dir,
    { family: "echo", task: "test", options: { answer, broken }, textkitVersion: "0" },
    {},
  );
}

describe("compareVersions", () => {
  it("sorts numbers inside names by value, so v10 is newer than v9", () => {
    assert.deepEqual(["v10", "v9", "v1", "v2"].sort(compareVersions), ["v1", "v2", "v9", "v10"]);
    assert.deepEqual(["2024-10-01T00:00:00.000Z", "2024-09-30T23:00:00.000Z"].sort(compareVersions), [
      "2024-09-30T23:00:00.000Z",
      "2024-10-01T00:00:00.000Z",
    ]);
  });
});

describe("ModelRegistry", () => {
  it("serves the newest version that loads, and skips a broken newer one", async () => {
    const dir = join(root, "a");
    await version(join(dir, "m", "v1"), "one");
    await version(join(dir, "m", "v2"), "two");
    await version(join(dir, "m", "v10"), "ten", true);
    const failures: string[] = [];
    const registry = new ModelRegistry({
      root: dir,
      loaders: { echo },
      watchIntervalMs: 0,
      onLoadFailed: (name, v, e) => failures.push(`${name}@${v}:${e.code}`),
    });
    await registry.start();
    await registry.whenReady();
    const model = registry.resolve("m");
    assert.equal(model.version, "v2");
    assert.deepEqual(await model.predict(["x", "y"], {}), ["two", "two"]);
    assert.deepEqual(failures, ["m@v10:ARTIFACT_CORRUPT"]);
    assert.deepEqual(
      registry.status("m").versions.map((v) => `${v.version}:${v.state}`),
      ["v1:available", "v2:active", "v10:failed"],
    );
    await registry.stop();
  });

  it("keeps a resolved model valid after a swap: requests hold the object they started with", async () => {
    const dir = join(root, "b");
    await version(join(dir, "m", "v1"), "one");
    const registry = new ModelRegistry({ root: dir, loaders: { echo }, watchIntervalMs: 0 });
    await registry.start();
    await registry.whenReady();
    const before = registry.resolve("m");
    await version(join(dir, "m", "v2"), "two");
    await registry.rescan();
    assert.equal(registry.resolve("m").version, "v2");
    assert.deepEqual(await before.predict(["x"], {}), ["one"], "the old reference still answers");
    await registry.stop();
  });

  it("refuses an unknown family and a directory that does not exist", async () => {
    const dir = join(root, "c");
    await writeArtifact(
      join(dir, "alien"),
      { family: "alien", task: "t", options: {}, textkitVersion: "0" },
      {},
    );
    const registry = new ModelRegistry({ root: dir, loaders: { echo }, watchIntervalMs: 0 });
    await registry.start();
    await registry.whenReady();
    assert.equal(registry.status("alien").versions[0]!.error?.code, "MODEL_FAMILY_UNSUPPORTED");
    assert.throws(
      () => registry.resolve("alien"),
      (e: unknown) => e instanceof TextkitError && e.code === "MODEL_UNAVAILABLE",
    );
    assert.throws(
      () => registry.resolve("nope"),
      (e: unknown) => e instanceof TextkitError && e.code === "MODEL_NOT_FOUND",
    );
    await registry.stop();
    const missing = new ModelRegistry({ root: join(root, "missing"), loaders: { echo } });
    await assert.rejects(
      missing.start(),
      (e: unknown) => e instanceof TextkitError && e.code === "MODELS_DIR_NOT_FOUND",
    );
  });

  it("drops a model whose directory is removed, and ignores hidden and half-copied directories", async () => {
    const dir = join(root, "d");
    await version(join(dir, "m", "v1"), "one");
    mkdirSync(join(dir, "m", "v2"));
    mkdirSync(join(dir, ".hidden", "v1"), { recursive: true });
    const registry = new ModelRegistry({ root: dir, loaders: { echo }, watchIntervalMs: 0 });
    await registry.start();
    await registry.whenReady();
    assert.deepEqual(
      registry.list().map((m) => m.name),
      ["m"],
    );
    assert.deepEqual(
      registry.status("m").versions.map((v) => v.version),
      ["v1"],
      "v2 has no manifest yet",
    );
    rmSync(join(dir, "m"), { recursive: true });
    await registry.rescan();
    assert.deepEqual(registry.list(), []);
    await registry.stop();
  });

  it("answers a text request to a model that takes only rows with what it takes, and keeps a plugin's model untyped", async () => {
    const dir = join(root, "rows");
    await writeArtifact(
      join(dir, "sums"),
      { family: "rows", task: "test", options: {}, textkitVersion: "0" },
      {},
    );
    const rows: FamilyLoader = async () => ({ predictRows: (r) => r.map(() => 1) });
    const registry = new ModelRegistry({ root: dir, loaders: { rows }, watchIntervalMs: 0 });
    await registry.start();
    await registry.whenReady();
    const served = registry.resolve("sums");
    assert.equal(served.inputKind, "row");
    assert.equal(served.loaded, null);
    assert.deepEqual(await served.predictRows([{ a: 1 }], {}), [1]);
    assert.throws(
      () => served.predict(["a text"], {}),
      (e: unknown) =>
        e instanceof TextkitError && e.code === "INPUT_INVALID" && /takes rows of values/.test(e.message),
    );
    await registry.stop();
  });
});
