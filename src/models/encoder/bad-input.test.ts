import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TextkitError } from "../../core/index.ts";
import { loadEncoder } from "./index.ts";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/encoders/", import.meta.url));
let root = "";
let serial = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "textkit-enc-bad-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A copy of a fixture folder, changed by `edit`, to load. */
async function copyOf(fixture: string, edit: (dir: string) => Promise<void>): Promise<string> {
  serial += 1;
  const dir = join(root, `${fixture}-${serial}`);
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editJson(path: string, change: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  change(json);
  await writeFile(path, JSON.stringify(json));
}

async function refuses(dir: string, code: string, message: RegExp, file?: string): Promise<void> {
  await assert.rejects(loadEncoder(dir, { threads: 1 }), (error: unknown) => {
    assert.ok(error instanceof TextkitError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    if (file !== undefined) assert.equal(error.file, file);
    return true;
  });
}

describe("loadEncoder refuses a bad folder with a coded error naming the file", () => {
  it("a folder that does not exist", async () => {
    await refuses(join(root, "nowhere"), "ENCODER_FILE_MISSING", /encoder folder .*nowhere does not exist/);
  });

  it("no config.json", async () => {
    const dir = await copyOf("bert-vocab", (d) => unlink(join(d, "config.json")));
    await refuses(dir, "ENCODER_FILE_MISSING", /has no config\.json \(looked for .*config\.json\)/);
  });

  it("no tokenizer: names both files it looked for", async () => {
    const dir = await copyOf("bert-vocab", (d) => unlink(join(d, "vocab.txt")));
    await refuses(
      dir,
      "ENCODER_FILE_MISSING",
      /has no tokenizer: looked for .*tokenizer\.json and .*vocab\.txt/,
    );
  });

  it("no ONNX file: names the four places", async () => {
    const dir = await copyOf("bert-vocab", (d) => unlink(join(d, "model.onnx")));
    await refuses(
      dir,
      "ENCODER_FILE_MISSING",
      /no ONNX model: looked for .*onnx\/model\.onnx, .*model_quantized\.onnx, .*model\.onnx/,
    );
  });

  it("a config.json that is not JSON, or has no hidden_size", async () => {
    const broken = await copyOf("bert-vocab", (d) => writeFile(join(d, "config.json"), "{ not json"));
    await refuses(broken, "ENCODER_BAD_FILE", /config\.json is not valid JSON/, join(broken, "config.json"));
    const noHidden = await copyOf("bert-vocab", (d) =>
      editJson(join(d, "config.json"), (c) => delete c["hidden_size"]),
    );
    await refuses(noHidden, "ENCODER_BAD_FILE", /has no "hidden_size"/);
  });

  it("a hidden size the graph does not have", async () => {
    const dir = await copyOf("bert-wordpiece", (d) =>
      editJson(join(d, "config.json"), (c) => {
        c["hidden_size"] = 64;
      }),
    );
    await refuses(
      dir,
      "ENCODER_MISMATCH",
      /returns vectors of 32 values but config\.json's hidden_size is 64/,
    );
  });

  it("a tokenizer larger than the model's vocabulary", async () => {
    const dir = await copyOf("bert-wordpiece", (d) =>
      editJson(join(d, "config.json"), (c) => {
        c["vocab_size"] = 50;
      }),
    );
    await refuses(
      dir,
      "ENCODER_MISMATCH",
      /tokenizer\.json has \d+ tokens but config\.json's vocab_size is 50/,
    );
  });

  it("a tokenizer whose ids the graph cannot embed (another model's ONNX file)", async () => {
    // xlmr-unigram's graph has 150 rows of embeddings; the WordPiece ids go past them.
    const dir = await copyOf("bert-vocab", async (d) => {
      await cp(join(FIXTURES, "xlmr-unigram", "onnx", "model.onnx"), join(d, "model.onnx"));
      await editJson(join(d, "config.json"), (c) => delete c["vocab_size"]);
    });
    await refuses(dir, "ENCODER_MISMATCH", /fails on the tokenizer's ids/);
  });

  it("a graph that wants inputs textkit does not feed", async () => {
    const dir = await copyOf("bert-vocab", (d) =>
      cp(join(FIXTURES, "odd-inputs", "model.onnx"), join(d, "model.onnx")),
    );
    await refuses(
      dir,
      "ENCODER_UNSUPPORTED",
      /takes inputs input_ids, attention_mask, position_ids.*unknown: position_ids/,
    );
  });

  it("an ONNX file that is not one", async () => {
    const dir = await copyOf("bert-vocab", (d) => writeFile(join(d, "model.onnx"), "not a model"));
    await refuses(dir, "ENCODER_BAD_FILE", /cannot be loaded by the ONNX runtime/, join(dir, "model.onnx"));
  });

  it("a tokenizer type textkit does not run", async () => {
    const dir = await copyOf("bert-wordpiece", (d) =>
      editJson(join(d, "tokenizer.json"), (t) => {
        t["model"] = { type: "WordLevel", vocab: {}, unk_token: "[UNK]" };
      }),
    );
    await refuses(dir, "ENCODER_UNSUPPORTED", /tokenizer model "WordLevel" is not supported/);
  });

  it("a pooling mode textkit does not compute", async () => {
    const dir = await copyOf("bert-wordpiece", (d) =>
      editJson(join(d, "1_Pooling", "config.json"), (p) => {
        p["pooling_mode_mean_tokens"] = false;
        p["pooling_mode_mean_sqrt_len_tokens"] = true;
      }),
    );
    await refuses(dir, "ENCODER_UNSUPPORTED", /turns on pooling_mode_mean_sqrt_len_tokens/);
  });

  it("a vocab.txt without the special tokens", async () => {
    const dir = await copyOf("bert-vocab", async (d) => {
      const vocab = (await readFile(join(d, "vocab.txt"), "utf8")).replace("[CLS]\n", "");
      await writeFile(join(d, "vocab.txt"), vocab);
    });
    await refuses(dir, "ENCODER_BAD_FILE", /lacks the special token \[CLS\]/);
  });
});

describe("embed refuses bad texts", () => {
  it("an empty or blank text is DATA_EMPTY_TEXT naming which one; bad options are OPTION_INVALID", async () => {
    const encoder = await loadEncoder(join(FIXTURES, "bert-wordpiece"), { threads: 1 });
    try {
      await assert.rejects(encoder.embed(["fine", "  \n"]), {
        code: "DATA_EMPTY_TEXT",
        message: /text 2 is empty/,
      });
      await assert.rejects(encoder.embed(["fine"], { batchSize: 0 }), { code: "OPTION_INVALID" });
      assert.equal((await encoder.embed([])).vectors.length, 0);
    } finally {
      await encoder.close();
    }
    await assert.rejects(loadEncoder(join(FIXTURES, "bert-wordpiece"), { threads: 0 }), {
      code: "OPTION_INVALID",
    });
  });
});
