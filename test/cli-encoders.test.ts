/**
 * End-to-end tests of `textkit encoders pull|info|embed` on the fixture encoders: a hub on
 * loopback for pull (and a closed port for offline), JSONL vectors equal to the library's,
 * the cache, and coded errors with non-zero exits for broken folders.
 */
import assert from "node:assert/strict";
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadEncoder } from "../src/models/encoder/index.ts";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/encoders/", import.meta.url));
const scratch = scratchFiles("cli-encoders");
const input = scratch.write(".txt", "I lost my card\n\nHow do I transfer money?\n今天天气很好\n");

const hub = createServer((req, res) => {
  const match = /^\/org\/tiny\/resolve\/main\/(.+)$/.exec(req.url ?? "");
  const path = match === null ? "" : join(FIXTURES, "xlmr-unigram", match[1] as string);
  if (match === null || (match[1] as string).includes("..") || !existsSync(path)) {
    res.writeHead(404).end();
    return;
  }
  createReadStream(path).pipe(res);
});
let endpoint = "";
before(async () => {
  await new Promise<void>((resolve) => hub.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => hub.close(() => resolve()));
});

describe("textkit encoders", () => {
  it("pull fetches a model from the endpoint; info describes it", async () => {
    const to = join(scratch.path, "pulled");
    const pulled = await runCli(["encoders", "pull", "org/tiny", "--to", to, "--endpoint", endpoint, "-q"]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /pulled org\/tiny into .*pulled: config\.json, tokenizer\.json/);
    const info = await runCli(["encoders", "info", to, "--json"]);
    assert.equal(info.code, 0, info.stderr);
    const described = JSON.parse(info.stdout) as Record<string, unknown>;
    assert.equal(described["tokenizer"], "unigram");
    assert.equal(described["pooling"], "cls");
    assert.equal(described["hiddenSize"], 32);
    assert.match(String(described["id"]), /^pulled@[0-9a-f]{12}$/);
  });

  it("pull offline: exit 1, a coded error naming the endpoint, no folder", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const to = join(scratch.path, "offline");
    const result = await runCli([
      "encoders",
      "pull",
      "org/tiny",
      "--to",
      to,
      "--endpoint",
      `http://127.0.0.1:${port}`,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}.*\\[ENCODER_DOWNLOAD_FAILED\\]`),
    );
    assert.equal(existsSync(to), false);
    assert.deepEqual(
      readdirSync(scratch.path).filter((n) => n.includes(".partial-")),
      [],
    );
  });

  it("embed writes one JSON line per text, equal to the library's vectors, and reports the cache", async () => {
    const out = join(scratch.path, "vectors.jsonl");
    const cache = join(scratch.path, "cache");
    const dir = join(FIXTURES, "bert-wordpiece");
    const first = await runCli([
      "encoders",
      "embed",
      dir,
      "--input",
      input,
      "--out",
      out,
      "--cache",
      cache,
      "--threads",
      "1",
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /embedded 3 texts with bert-wordpiece@[0-9a-f]{12} \(dim 32; 0 cut to 64 tokens, 0 from the cache\)/,
    );
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { line: number; vector: number[] });
    assert.deepEqual(
      rows.map((r) => r.line),
      [1, 3, 4],
    );
    const encoder = await loadEncoder(dir, { threads: 1 });
    const want = await encoder.embed(["I lost my card", "How do I transfer money?", "今天天气很好"]);
    await encoder.close();
    rows.forEach((row, i) => {
      assert.equal(row.vector.length, 32);
      // Nine significant digits read back as the same float32.
      row.vector.forEach((v, d) => {
        assert.equal(Math.fround(v), want.vectors[i * 32 + d]);
      });
    });
    const again = await runCli([
      "encoders",
      "embed",
      dir,
      "--input",
      input,
      "--cache",
      cache,
      "--threads",
      "1",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /3 from the cache/);
    assert.equal(again.stdout.trim().split("\n").length, 3);
  });

  it("a broken folder exits 1 with the code and the file; a bad flag exits 1 naming it", async () => {
    const missing = await runCli(["encoders", "info", join(scratch.path, "nothing")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist \[ENCODER_FILE_MISSING\]/);
    const noConfig = await runCli(["encoders", "embed", FIXTURES, "--input", input]);
    assert.equal(noConfig.code, 1);
    assert.match(
      noConfig.stderr,
      /has no config\.json \(looked for .*config\.json\) \[ENCODER_FILE_MISSING\]/,
    );
    const badPooling = await runCli(["encoders", "info", join(FIXTURES, "bert-vocab"), "--pooling", "sum"]);
    assert.equal(badPooling.code, 1);
    assert.match(badPooling.stderr, /--pooling must be one of mean, cls, max/);
  });
});
