import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { writeArtifact } from "./artifact.ts";
import { artifactOptions, float32FromBuffer, int32FromBuffer } from "./artifact-files.ts";
import { listArtifacts, readArtifact } from "./artifact-read.ts";
import { manifestDigest } from "./manifest.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-artifact-"));
after(() => rmSync(root, { recursive: true, force: true }));

const base = { family: "classifier", task: "multiclass", options: { dim: 4 }, textkitVersion: "0.1.0" };

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TextkitError, `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("artifacts", () => {
  it("round-trips files and records their size and checksum", async () => {
    const dir = join(root, "a");
    const weights = new Uint8Array([1, 2, 3, 4, 5]);
    const manifest = await writeArtifact(dir, base, { "w.bin": weights });
    assert.equal(manifest.files["w.bin"]?.bytes, 5);
    assert.match(manifest.files["w.bin"]?.sha256 ?? "", /^[0-9a-f]{64}$/);
    const read = await readArtifact(dir, "classifier");
    assert.deepEqual([...read.files["w.bin"]!], [1, 2, 3, 4, 5]);
    assert.equal(read.manifest.family, "classifier");
    assert.deepEqual(await listArtifacts(root), [dir]);
  });

  it("replaces an existing model whole and leaves no temporary directory", async () => {
    const dir = join(root, "b");
    await writeArtifact(dir, base, { "w.bin": new Uint8Array([1]) });
    await writeArtifact(dir, base, { "v.bin": new Uint8Array([2, 2]) });
    assert.deepEqual(readdirSync(dir).sort(), ["manifest.json", "v.bin"]);
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith(".")),
      [],
    );
  });

  it("refuses a truncated weight file, a changed one, a foreign family and a missing manifest", async () => {
    const dir = join(root, "c");
    await writeArtifact(dir, base, { "w.bin": new Uint8Array(64).fill(7) });
    truncateSync(join(dir, "w.bin"), 10);
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /w\.bin has 10 bytes, the manifest says 64/);

    await writeArtifact(dir, base, { "w.bin": new Uint8Array(64).fill(7) });
    writeFileSync(join(dir, "w.bin"), new Uint8Array(64).fill(8));
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /checksum/);

    await writeArtifact(dir, base, { "w.bin": new Uint8Array(1) });
    await rejectsWith(readArtifact(dir, "tagger"), "ARTIFACT_FOREIGN", /'classifier' model, not a 'tagger'/);

    await rejectsWith(readArtifact(join(root, "nope")), "ARTIFACT_NOT_FOUND", /does not exist/);
  });

  it("refuses a foreign or truncated manifest and a newer format version", async () => {
    const dir = join(root, "d");
    await writeArtifact(dir, base, {});
    const manifestPath = join(dir, "manifest.json");
    const text = readFileSync(manifestPath, "utf8");
    writeFileSync(manifestPath, text.slice(0, 20));
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /not valid JSON/);
    writeFileSync(manifestPath, JSON.stringify({ format: "something-else" }));
    await rejectsWith(readArtifact(dir), "ARTIFACT_FOREIGN", /not hold a textkit model/);
    writeFileSync(manifestPath, text.replace('"formatVersion": 2', '"formatVersion": 99'));
    await rejectsWith(readArtifact(dir), "ARTIFACT_VERSION", /newer/);
  });
});

/** Rewrites a manifest with `change` applied and its digest made to match again. */
function resealed(dir: string, change: (manifest: Record<string, unknown>) => void): void {
  const path = join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  change(manifest);
  delete manifest["digest"];
  writeFileSync(path, JSON.stringify({ ...manifest, digest: manifestDigest(manifest) }));
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.equal(child.status, 0);
  return child.pid;
}

describe("manifest integrity", () => {
  const labelled = {
    ...base,
    labels: ["negative", "positive"],
    options: { dim: 4, wordNgrams: 2, loss: "softmax" },
  };

  it("refuses any edit of the manifest: reversed labels, one flipped bit, a changed option", async () => {
    const dir = join(root, "sealed");
    await writeArtifact(dir, labelled, { "w.bin": new Uint8Array(8) });
    const path = join(dir, "manifest.json");
    const text = readFileSync(path, "utf8");
    assert.match(JSON.parse(text).digest, /^[0-9a-f]{64}$/);
    await readArtifact(dir, "classifier");
    const edits: [string, string][] = [
      ['"negative",\n    "positive"', '"positive",\n    "negative"'],
      ['"positive"', '"posituve"'],
      ['"wordNgrams": 2', '"wordNgrams": 3'],
      ['"loss": "softmax"', '"loss": "ova"'],
    ];
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      writeFileSync(path, text.replace(from, to));
      await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /changed after it was written/);
    }
    const bytes = readFileSync(path);
    const at = text.indexOf('"bytes": 8') + 9;
    bytes[at]! ^= 1;
    writeFileSync(path, bytes);
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /./);
  });

  it("refuses an artifact written before manifests had a digest, saying to train or save it again", async () => {
    const dir = join(root, "legacy");
    await writeArtifact(dir, labelled, {});
    const path = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    delete manifest.digest;
    manifest.formatVersion = 1;
    writeFileSync(path, JSON.stringify(manifest));
    await rejectsWith(readArtifact(dir), "ARTIFACT_OUTDATED", /no digest/);
  });

  it("refuses malformed fields with ARTIFACT_CORRUPT even when the digest matches", async () => {
    const dir = join(root, "malformed");
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ["options null", (m) => (m["options"] = null), /options/],
      ["options missing", (m) => delete m["options"], /options/],
      ["a files entry null", (m) => (m["files"] = { "w.bin": null }), /w\.bin/],
      ["files null", (m) => (m["files"] = null), /files/],
      ["bytes a string", (m) => (m["files"] = { "w.bin": { bytes: "8", sha256: "0".repeat(64) } }), /w\.bin/],
      [
        "a file outside the folder",
        (m) => (m["files"] = { "../w.bin": { bytes: 8, sha256: "0".repeat(64) } }),
        /\.\.\/w\.bin/,
      ],
      ["duplicate labels", (m) => (m["labels"] = ["a", "a"]), /labels/],
      ["an empty label", (m) => (m["labels"] = ["a", ""]), /labels/],
      ["labels not a list", (m) => (m["labels"] = "a,b"), /labels/],
      ["family a number", (m) => (m["family"] = 7), /family/],
      ["task missing", (m) => delete m["task"], /task/],
    ];
    for (const [what, change, pattern] of cases) {
      await writeArtifact(dir, labelled, { "w.bin": new Uint8Array(8) });
      resealed(dir, change);
      await assert.rejects(readArtifact(dir), (error: unknown) => {
        assert.ok(error instanceof TextkitError, `${what}: ${String(error)}`);
        assert.equal(error.code, "ARTIFACT_CORRUPT", what);
        assert.match(error.message, pattern, what);
        assert.equal(error.file, join(dir, "manifest.json"), what);
        return true;
      });
    }
  });

  it("refuses a part replaced by another model", async () => {
    const dir = join(root, "with-parts");
    const part = { manifest: { ...base, family: "retrieval" }, files: { "p.bin": new Uint8Array([1]) } };
    await writeArtifact(dir, labelled, {}, { index: part });
    await readArtifact(dir);
    const other = join(root, "other-part");
    await writeArtifact(other, { ...base, family: "retrieval" }, { "p.bin": new Uint8Array([2]) });
    rmSync(join(dir, "index"), { recursive: true });
    renameSync(other, join(dir, "index"));
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /part index/);
    rmSync(join(dir, "index"), { recursive: true });
    await rejectsWith(readArtifact(dir), "ARTIFACT_CORRUPT", /part index/);
  });
});

describe("weight files", () => {
  it("refuses a length that is not a whole number of values, and NaN or infinite floats", () => {
    const corrupt = (fn: () => unknown, pattern: RegExp) =>
      assert.throws(
        fn,
        (e: unknown) => e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT" && pattern.test(e.message),
      );
    corrupt(() => float32FromBuffer(Buffer.alloc(6), "w.f32"), /w\.f32.*6 bytes/);
    corrupt(() => int32FromBuffer(Buffer.alloc(7), "w.i32"), /w\.i32.*7 bytes/);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const data = Buffer.from(new Float32Array([0.5, bad, 1]).buffer);
      corrupt(() => float32FromBuffer(data, "w.f32"), /w\.f32.*not a finite number/);
    }
    assert.deepEqual([...float32FromBuffer(Buffer.from(new Float32Array([0.5, -2]).buffer))], [0.5, -2]);
  });
});

describe("stale temporary folders", () => {
  it("removes those of a dead writer on the next write, never those of a live one", async () => {
    const dir = join(root, "model");
    const dead = join(root, `.model.tmp-${deadPid()}-0badf00d`);
    const live = join(root, `.model.tmp-${process.pid}-0badf00d`);
    const otherModel = join(root, `.other.tmp-${deadPid()}-0badf00d`);
    for (const d of [dead, live, otherModel]) {
      mkdirSync(d);
      writeFileSync(join(d, "w.bin"), "half");
    }
    await writeArtifact(dir, base, { "w.bin": new Uint8Array(1) });
    assert.equal(existsSync(dead), false, "a dead writer's folder is removed");
    assert.equal(existsSync(live), true, "a live writer's folder is kept");
    assert.equal(existsSync(otherModel), true, "another model's folders are not this write's business");
    rmSync(live, { recursive: true });
    rmSync(otherModel, { recursive: true });
  });

  it("removes a dead writer's displaced old copy only once the model itself exists", async () => {
    const dir = join(root, "swapped");
    const old = join(root, `.swapped.old-${deadPid()}-0badf00d`);
    mkdirSync(old);
    writeFileSync(join(old, "manifest.json"), "{}");
    // Killed between its two renames: the old copy was all there was of the model when this
    // write began, so it is kept; the next write finds the model and removes it.
    await writeArtifact(dir, base, {});
    assert.equal(existsSync(old), true, "kept while the model did not exist");
    await writeArtifact(dir, base, {});
    assert.equal(existsSync(old), false, "removed once the model exists again");
  });
});

describe("stored options", () => {
  /** A resolver such as each family has: defaults filled in, ranges (not types) checked. */
  const resolve = (stored: Record<string, unknown>) => {
    const o = { dim: 4, lowercase: true, range: 8 as number | { min: number; max: number }, ...stored };
    if (typeof o.dim === "number" && !(o.dim >= 1))
      throw new TextkitError("OPTION_INVALID", `dim must be at least 1`);
    return o;
  };

  it("refuses an option of the wrong type or out of range with ARTIFACT_CORRUPT, and passes the rest", async () => {
    const dir = join(root, "options");
    const cases: [Record<string, unknown>, RegExp | null][] = [
      [{ dim: 8, lowercase: false, range: { min: 2, max: 4 }, language: "en" }, null],
      [{ dim: null }, /dim is null, not a number/],
      [{ dim: "8" }, /dim is "8", not a number/],
      [{ lowercase: null }, /lowercase is null, not a boolean/],
      [{ dim: 0 }, /dim must be at least 1/],
      [{ language: 7 }, null],
    ];
    for (const [options, pattern] of cases) {
      await writeArtifact(dir, { ...base, options }, {});
      const artifact = await readArtifact(dir);
      if (pattern === null) {
        const resolved = artifactOptions(artifact, resolve, ["language"]);
        assert.equal(Object.hasOwn(resolved, "language"), false, "an excluded key is not passed on");
        continue;
      }
      assert.throws(
        () => artifactOptions(artifact, resolve, ["language"]),
        (e: unknown) =>
          e instanceof TextkitError &&
          e.code === "ARTIFACT_CORRUPT" &&
          e.file === join(dir, "manifest.json") &&
          pattern.test(e.message),
        JSON.stringify(options),
      );
    }
  });
});
