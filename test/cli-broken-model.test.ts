/**
 * The command line given a damaged model directory: one coded error naming the file, exit
 * code 1, never "this is a bug" (issue 15 item 2: a null options, a null files entry and a
 * weight file whose length is not a multiple of 4 were uncoded errors).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { manifestDigest } from "../src/artifact/index.ts";
import { tempDir, trainTopicModel } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";

const root = tempDir("cli-broken-model");
const pristine = join(root.path, "pristine");

before(async () => {
  await (await trainTopicModel(1)).save(pristine);
});
after(() => root.remove());

/** A copy of the model with `change` applied to its manifest, the digest made to match. */
function damaged(name: string, change: (manifest: Record<string, unknown>, dir: string) => void): string {
  const dir = join(root.path, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(pristine, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
  change(manifest, dir);
  delete manifest["digest"];
  writeFileSync(
    join(dir, "manifest.json"),
    JSON.stringify({ ...manifest, digest: manifestDigest(manifest) }),
  );
  return dir;
}

describe("textkit with a damaged model", () => {
  const cases: [string, (manifest: Record<string, unknown>, dir: string) => void, RegExp][] = [
    ["options null", (m) => (m["options"] = null), /manifest\.json.*options/],
    ["options missing", (m) => delete m["options"], /manifest\.json.*options/],
    [
      "a files entry null",
      (m) => ((m["files"] as Record<string, unknown>)["input.f32"] = null),
      /input\.f32/,
    ],
    [
      "a weight file of 4n+2 bytes",
      (m, dir) => {
        const data = readFileSync(join(dir, "output.f32")).subarray(0, -2);
        writeFileSync(join(dir, "output.f32"), data);
        const sha256 = createHash("sha256").update(data).digest("hex");
        (m["files"] as Record<string, unknown>)["output.f32"] = { bytes: data.byteLength, sha256 };
      },
      /output\.f32.*not a whole number of 4-byte values/,
    ],
  ];
  for (const [what, change, pattern] of cases) {
    it(`${what}: a coded error naming the file, exit 1`, async () => {
      const model = damaged(what.replace(/\W+/g, "-"), change);
      const r = await runCli(["classify", "predict", "--model", model], {
        stdin: Readable.from([Buffer.from("goal match\n")]),
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /\[ARTIFACT_CORRUPT\]/);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /bug/i);
      assert.equal(r.stdout, "");
    });
  }

  it("an edited manifest (labels reversed) is refused, not predicted from", async () => {
    const dir = join(root.path, "reversed");
    cpSync(pristine, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    manifest.labels.reverse();
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
    const r = await runCli(["classify", "predict", "--model", dir], {
      stdin: Readable.from([Buffer.from("goal match\n")]),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /changed after it was written .*\[ARTIFACT_CORRUPT\]/);
    assert.equal(r.stdout, "");
  });
});
