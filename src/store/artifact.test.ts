import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { TextkitError } from "../core/errors.ts";
import { listArtifacts, readArtifact, writeArtifact } from "./artifact.ts";

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
    writeFileSync(manifestPath, text.replace('"formatVersion": 1', '"formatVersion": 99'));
    await rejectsWith(readArtifact(dir), "ARTIFACT_VERSION", /newer/);
  });
});
