import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EmbeddingCache } from "./index.ts";

const CHECKSUM = "ab".repeat(32);

describe("EmbeddingCache", () => {
  it("merges its segments past 32, keeps every vector, and skips a segment that does not parse", async () => {
    const root = await mkdtemp(join(tmpdir(), "textkit-enc-cache-unit-"));
    try {
      const cache = await EmbeddingCache.open(root, CHECKSUM, 3);
      for (let i = 0; i < 40; i++) {
        await cache.add([{ text: `text ${i}`, vector: Float32Array.of(i, -i, 0.5), truncated: i % 2 === 0 }]);
      }
      const dir = join(root, CHECKSUM.slice(0, 32));
      const segments = (await readdir(dir)).filter((n) => n.endsWith(".bin"));
      assert.ok(segments.length <= 9, `${segments.length} segments`);
      assert.equal((await readdir(dir)).filter((n) => n.includes(".tmp-")).length, 0);
      // A stray, truncated segment (a copy cut short) is ignored, not trusted.
      await writeFile(join(dir, "seg-zzzz-1-1.bin"), Buffer.from([0x43, 0x45, 0x4b, 0x54, 1, 0, 0, 0]));
      const again = await EmbeddingCache.open(root, CHECKSUM, 3);
      assert.equal(again.size, 40);
      assert.deepEqual(again.get("text 7"), { vector: Float32Array.of(7, -7, 0.5), truncated: false });
      assert.equal(again.get("text 8")?.truncated, true);
      assert.equal(again.get("never added"), undefined);
      // Another dimension (another encoder that shares the folder name) reads nothing.
      assert.equal((await EmbeddingCache.open(root, CHECKSUM, 4)).size, 0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
