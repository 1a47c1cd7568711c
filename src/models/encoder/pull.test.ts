import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadEncoder, pullEncoder } from "./index.ts";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/encoders/", import.meta.url));
/** What the loopback hub serves: repo name → fixture folder (and files it pretends not to have). */
const REPOS: Record<string, { folder: string; hide?: string[] }> = {
  "org/tiny-bert": { folder: "bert-wordpiece" },
  "org/vocab-bert": { folder: "bert-vocab" },
  "org/no-onnx": { folder: "bert-wordpiece", hide: ["onnx/model.onnx"] },
  "org/short-body": { folder: "bert-vocab" },
};

let server: Server;
let endpoint = "";
let root = "";
const requested: string[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), "textkit-pull-"));
  server = createServer((req, res) => {
    const url = req.url ?? "";
    requested.push(url);
    const match = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url);
    const repo = match === null ? undefined : REPOS[match[1] as string];
    const file = match === null ? "" : normalize(decodeURIComponent(match[2] as string));
    if (repo === undefined || file.startsWith("..") || repo.hide?.includes(file)) {
      res.writeHead(404).end("Entry not found");
      return;
    }
    const path = join(FIXTURES, repo.folder, file);
    stat(path).then(
      (s) => {
        if (!s.isFile()) return void res.writeHead(404).end();
        if (match?.[1] === "org/short-body" && file === "model.onnx") {
          // Promise more bytes than are sent, then hang up: a download cut off.
          res.writeHead(200, { "content-length": String(s.size + 1000) });
          createReadStream(path)
            .on("end", () => res.destroy())
            .pipe(res, { end: false });
          return;
        }
        res.writeHead(200, { "content-length": String(s.size) });
        createReadStream(path).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

async function leftovers(): Promise<string[]> {
  return (await readdir(root)).filter((n) => n.includes(".partial-"));
}

describe("pullEncoder against a hub on loopback", () => {
  it("fetches a sentence-transformers model in the hub's URL layout; the folder loads and embeds as the original", async () => {
    const progress: string[] = [];
    const to = join(root, "tiny-bert");
    const result = await pullEncoder("org/tiny-bert", {
      to,
      endpoint,
      onProgress: (p) => progress.push(p.file),
    });
    assert.deepEqual([...result.files].sort(), [
      "1_Pooling/config.json",
      "config.json",
      "modules.json",
      "onnx/model.onnx",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    assert.ok(requested.includes("/org/tiny-bert/resolve/main/onnx/model.onnx"));
    assert.ok(progress.includes("onnx/model.onnx"));
    const pulled = await loadEncoder(to, { threads: 1 });
    const original = await loadEncoder(join(FIXTURES, "bert-wordpiece"), { threads: 1 });
    try {
      assert.equal(pulled.checksum, original.checksum);
      assert.equal(pulled.info.pooling, "mean");
      assert.equal(pulled.info.normalize, true);
      const a = await pulled.embed(["I lost my card"]);
      const b = await original.embed(["I lost my card"]);
      assert.deepEqual(a.vectors, b.vectors);
    } finally {
      await pulled.close();
      await original.close();
    }
  });

  it("falls back to vocab.txt and a root model.onnx", async () => {
    const to = join(root, "vocab-bert");
    const result = await pullEncoder("org/vocab-bert", { to, endpoint });
    assert.ok(result.files.includes("vocab.txt") && result.files.includes("model.onnx"));
    const encoder = await loadEncoder(to, { threads: 1 });
    await encoder.close();
  });

  it("a model without an ONNX file: a coded error listing every URL tried, and nothing left behind", async () => {
    const to = join(root, "no-onnx");
    await assert.rejects(pullEncoder("org/no-onnx", { to, endpoint }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "ENCODER_FILE_MISSING");
      assert.match(
        error.message,
        /org\/no-onnx has no ONNX file: looked for http:\/\/127\.0\.0\.1:\d+\/org\/no-onnx\/resolve\/main\/onnx\/model\.onnx, .*\/model\.onnx/,
      );
      return true;
    });
    await assert.rejects(stat(to));
    assert.deepEqual(await leftovers(), []);
  });

  it("an unknown model names the URL of its config.json", async () => {
    await assert.rejects(pullEncoder("org/nothing-here", { to: join(root, "x"), endpoint }), {
      code: "ENCODER_FILE_MISSING",
      message: /org\/nothing-here has no config\.json at .*\/org\/nothing-here\/resolve\/main\/config\.json/,
    });
  });

  it("offline (nothing listens at the endpoint): ENCODER_DOWNLOAD_FAILED naming it, and nothing left behind", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      pullEncoder("org/tiny-bert", { to: join(root, "offline"), endpoint: `http://127.0.0.1:${port}` }),
      {
        code: "ENCODER_DOWNLOAD_FAILED",
        message: new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port} to fetch`),
      },
    );
    assert.deepEqual(await leftovers(), []);
  });

  it("a download cut off mid-file is an error, not a short model file", async () => {
    await assert.rejects(pullEncoder("org/short-body", { to: join(root, "short"), endpoint }), {
      code: "ENCODER_DOWNLOAD_FAILED",
    });
    await assert.rejects(stat(join(root, "short")));
    assert.deepEqual(await leftovers(), []);
  });

  it("refuses a bad name and an existing folder", async () => {
    await assert.rejects(pullEncoder("../etc", { to: join(root, "y"), endpoint }), {
      code: "OPTION_INVALID",
    });
    await assert.rejects(pullEncoder("org/tiny-bert", { to: root, endpoint }), {
      code: "OPTION_INVALID",
      message: /exists already/,
    });
  });
});
