/**
 * `loadEncoder`: a Hugging Face model folder run by the ONNX runtime on CPU. The folder is
 * read and checked first (folder.ts), then the graph's inputs and output against
 * config.json, then one probe run (with the largest token id) that proves the hidden size
 * and that every id is embedded. Texts are tokenised with
 * Hugging Face's tokenizer.json reader, sorted by length and padded per batch (not to the
 * maximum), so a batch of short texts costs what short texts cost.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { availableParallelism } from "node:os";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import {
  checkBoolean,
  checkInt,
  checkOneOf,
  TextkitError,
  type WordEncodeOptions,
} from "../../core/index.ts";
import { EmbeddingCache } from "./cache.ts";
import { type EncoderFolder, readEncoderFolder } from "./folder.ts";
import { type HiddenStates, poolRow } from "./pooling.ts";
import { checkTexts } from "./texts.ts";
import {
  type SentenceTokenStates,
  type TokenStatesOptions,
  type TokenStatesRunner,
  tokenStates,
} from "./token-states.ts";
import { EncoderTokenizer, type TokenizedText } from "./tokenize.ts";
import {
  type EncodedTexts,
  type EncodedWords,
  type EncodeOptions,
  type EncoderInfo,
  type LoadEncoderOptions,
  POOLING_MODES,
  type PretrainedEncoder,
} from "./types.ts";
import { embedWordsWith, openWordCache } from "./word-vectors.ts";

const OUTPUT_NAMES = ["last_hidden_state", "token_embeddings"] as const;
const KNOWN_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);
const DEFAULT_BATCH = 32;
/**
 * Rows per forward pass: a batch (sorted by length) runs as passes of at most this many rows.
 * The ONNX runtime's time is almost all in the projection GEMMs, and smaller passes keep
 * their activations in cache: on the bench's BERT-base shape, 64 texts, one thread, passes of
 * 8 gave 32.5 sentences/s against 25.6 for passes of 32 (same vectors, each row pooled alone).
 */
const FORWARD_ROWS = 8;

/** How the graph is fed: which inputs it has and in which integer type. */
interface GraphShape {
  output: string;
  tokenTypes: boolean;
  int32: boolean;
}

function checkOptions(options: LoadEncoderOptions): void {
  if (options.threads !== undefined) checkInt("threads", options.threads, 1, 1024);
  if (options.maxLength !== undefined) checkInt("maxLength", options.maxLength, 3, 1_000_000);
  if (options.pooling !== undefined) checkOneOf("pooling", options.pooling, POOLING_MODES);
  if (options.normalize !== undefined) checkBoolean("normalize", options.normalize);
  if (options.quantized !== undefined) checkBoolean("quantized", options.quantized);
}

function inspectGraph(session: InferenceSession, file: string): GraphShape {
  const inputs = session.inputMetadata;
  const names = inputs.map((m) => m.name);
  const missing = ["input_ids", "attention_mask"].filter((n) => !names.includes(n));
  const unknown = names.filter((n) => !KNOWN_INPUTS.has(n));
  if (missing.length > 0 || unknown.length > 0) {
    throw new TextkitError(
      "ENCODER_UNSUPPORTED",
      `${file} takes inputs ${names.join(", ")}; an encoder takes input_ids, attention_mask and optionally token_type_ids` +
        (missing.length > 0 ? ` (missing: ${missing.join(", ")})` : ` (unknown: ${unknown.join(", ")})`),
      { file },
    );
  }
  const ids = inputs.find((m) => m.name === "input_ids");
  const type = ids?.isTensor === true ? ids.type : "int64";
  if (type !== "int64" && type !== "int32") {
    throw new TextkitError("ENCODER_UNSUPPORTED", `${file}: input_ids are ${type}, not int64 or int32`, {
      file,
    });
  }
  const outputs = session.outputNames;
  const output = OUTPUT_NAMES.find((n) => outputs.includes(n));
  if (output === undefined) {
    throw new TextkitError(
      "ENCODER_UNSUPPORTED",
      `${file} has outputs ${outputs.join(", ")}; an encoder returns last_hidden_state (or token_embeddings)`,
      { file },
    );
  }
  const meta = session.outputMetadata.find((m) => m.name === output);
  if (meta?.isTensor === true && meta.type !== "float32") {
    throw new TextkitError("ENCODER_UNSUPPORTED", `${file}: ${output} is ${meta.type}, not float32`, {
      file,
    });
  }
  return { output, tokenTypes: names.includes("token_type_ids"), int32: type === "int32" };
}

async function sha256Of(paths: readonly string[], extra: string): Promise<string> {
  const hash = createHash("sha256");
  for (const path of paths) {
    hash.update(`${path.split("/").at(-1)}\0`);
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    hash.update("\0");
  }
  hash.update(extra);
  return hash.digest("hex");
}

/** A loaded encoder; see {@link loadEncoder}. */
export class OnnxEncoder implements PretrainedEncoder {
  readonly id: string;
  readonly checksum: string;
  readonly dim: number;
  readonly info: EncoderInfo;
  readonly #session: InferenceSession;
  #closing: Promise<void> | undefined;
  readonly #ort: typeof import("onnxruntime-node");
  readonly #graph: GraphShape;
  readonly #tokenizer: EncoderTokenizer;
  readonly #padId: number;
  #cache: EmbeddingCache | undefined;
  readonly #wordCaches = new Map<string, Promise<EmbeddingCache>>();

  /** @internal Use {@link loadEncoder}. */
  constructor(parts: {
    ort: typeof import("onnxruntime-node");
    session: InferenceSession;
    graph: GraphShape;
    tokenizer: EncoderTokenizer;
    folder: EncoderFolder;
    info: EncoderInfo;
    checksum: string;
  }) {
    this.#ort = parts.ort;
    this.#session = parts.session;
    this.#graph = parts.graph;
    this.#tokenizer = parts.tokenizer;
    this.#padId = parts.folder.config.padTokenId;
    this.info = parts.info;
    this.dim = parts.info.hiddenSize;
    this.checksum = parts.checksum;
    this.id = `${parts.info.name}@${parts.checksum.slice(0, 12)}`;
  }

  /** @internal */
  attachCache(cache: EmbeddingCache): void {
    this.#cache = cache;
  }

  /** The ids the model sees for `text` (special tokens included, cut to the maximum). */
  tokenize(text: string): TokenizedText {
    return this.#tokenizer.encode(text);
  }

  /** Runs the graph on rows of ids (padded here to the longest row). */
  async forward(rows: readonly (readonly number[])[]): Promise<HiddenStates> {
    if (this.#closing !== undefined) {
      throw new TextkitError("MODEL_UNAVAILABLE", `encoder ${this.id} is closed: load it again to use it`);
    }
    const batch = rows.length;
    const seq = Math.max(...rows.map((r) => r.length));
    const size = batch * seq;
    const ids = new Int32Array(size).fill(this.#padId);
    const mask = new Int32Array(size);
    for (let b = 0; b < batch; b++) {
      const row = rows[b] as readonly number[];
      ids.set(row, b * seq);
      mask.fill(1, b * seq, b * seq + row.length);
    }
    // Most exports take int64; a few take int32. The runtime wants the type the graph declares.
    const tensor = (values: Int32Array): Tensor =>
      this.#graph.int32
        ? new this.#ort.Tensor("int32", values, [batch, seq])
        : new this.#ort.Tensor(
            "int64",
            BigInt64Array.from(values, (v) => BigInt(v)),
            [batch, seq],
          );
    const feeds: Record<string, Tensor> = { input_ids: tensor(ids), attention_mask: tensor(mask) };
    if (this.#graph.tokenTypes) feeds["token_type_ids"] = tensor(new Int32Array(size));
    const result = await this.#session.run(feeds, [this.#graph.output]);
    const out = result[this.#graph.output];
    if (out === undefined || !(out.data instanceof Float32Array) || out.dims.length !== 3) {
      throw new TextkitError(
        "ENCODER_UNSUPPORTED",
        `${this.info.onnxFile}: ${this.#graph.output} is not batch × seq × dim`,
        {
          file: this.info.onnxFile,
        },
      );
    }
    const dim = out.dims[2] as number;
    return { data: out.data, seq: out.dims[1] as number, dim };
  }

  async embed(texts: readonly string[], options: EncodeOptions = {}): Promise<EncodedTexts> {
    checkTexts(texts);
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    checkInt("batchSize", batchSize, 1, 65_536);
    const dim = this.dim;
    const vectors = new Float32Array(texts.length * dim);
    const todo: number[] = [];
    const rows = { truncated: new Uint8Array(texts.length), cached: new Uint8Array(texts.length) };
    let cached = 0;
    let truncated = 0;
    for (let i = 0; i < texts.length; i++) {
      const hit = this.#cache?.get(texts[i] as string);
      if (hit === undefined) {
        todo.push(i);
      } else {
        vectors.set(hit.vector, i * dim);
        cached += 1;
        rows.cached[i] = 1;
        if (hit.truncated) {
          truncated += 1;
          rows.truncated[i] = 1;
        }
      }
    }
    const tokens = new Map<number, TokenizedText>();
    for (const i of todo) {
      const t = this.#tokenizer.encode(texts[i] as string);
      tokens.set(i, t);
      if (t.truncated) {
        truncated += 1;
        rows.truncated[i] = 1;
      }
    }
    // Sorted by length so that each batch pads to nearly its own length.
    const order = [...todo].sort(
      (a, b) => (tokens.get(a)?.ids.length ?? 0) - (tokens.get(b)?.ids.length ?? 0),
    );
    options.onProgress?.({ done: cached, total: texts.length });
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      for (let at = 0; at < batch.length; at += FORWARD_ROWS) {
        const members = batch.slice(at, at + FORWARD_ROWS);
        const ids = members.map((i) => (tokens.get(i) as TokenizedText).ids);
        const hidden = await this.forward(ids);
        members.forEach((i, b) => {
          const length = ids[b]?.length ?? 0;
          poolRow(hidden, b, length, this.info.pooling, this.info.normalize, vectors, i * dim);
        });
      }
      options.onProgress?.({ done: cached + Math.min(start + batchSize, order.length), total: texts.length });
    }
    if (this.#cache !== undefined && todo.length > 0) {
      await this.#cache.add(
        todo.map((i) => ({
          text: texts[i] as string,
          vector: vectors.slice(i * dim, (i + 1) * dim),
          truncated: (tokens.get(i) as TokenizedText).truncated,
        })),
      );
    }
    return { vectors, dim, truncated, cached, rows };
  }

  /**
   * The last hidden state of every sub-word piece of sentences given as words, with each
   * piece's word; long sentences run as overlapping windows (see token-states.ts).
   *
   * @example
   * const [s] = await encoder.tokenStates([["Tim", "Cook", "visited", "Paris"]]);
   * s.wordOf; // [0, 1, 1, 2, 3]: "Cook" is two pieces
   */
  tokenStates(
    sentences: readonly (readonly string[])[],
    options: TokenStatesOptions = {},
  ): Promise<SentenceTokenStates[]> {
    return tokenStates(this.#runner(), sentences, options, FORWARD_ROWS);
  }

  /**
   * One vector per word (its first piece's by default, or `wordVector: "mean"`), through
   * the embedding cache when the encoder has one.
   */
  async embedWords(
    words: readonly (readonly string[])[],
    options: TokenStatesOptions & WordEncodeOptions = {},
  ): Promise<EncodedWords> {
    const mode = options.wordVector ?? "first";
    let cache: EmbeddingCache | undefined;
    if (this.#cache !== undefined) {
      let opening = this.#wordCaches.get(mode);
      if (opening === undefined) {
        opening = openWordCache(this.#cache, this.checksum, mode);
        this.#wordCaches.set(mode, opening);
      }
      cache = await opening;
    }
    return embedWordsWith(this.#runner(), words, options, FORWARD_ROWS, cache);
  }

  #runner(): TokenStatesRunner {
    return { tokenizer: this.#tokenizer, dim: this.dim, forward: (rows) => this.forward(rows) };
  }

  /** Releases the ONNX session. A second call is a no-op; a call made after it is MODEL_UNAVAILABLE. */
  close(): Promise<void> {
    this.#closing ??= this.#session.release();
    return this.#closing;
  }
}

/**
 * Loads the encoder in folder `dir` (Hugging Face layout: config.json; tokenizer.json, or
 * vocab.txt + tokenizer_config.json; onnx/model.onnx, onnx/model_quantized.onnx or
 * model.onnx; modules.json + 1_Pooling/config.json when present) and checks the ONNX
 * graph against config.json. Nothing is downloaded: a missing file is ENCODER_FILE_MISSING
 * naming where it was looked for.
 *
 * @example
 * const encoder = await loadEncoder("models/all-MiniLM-L6-v2", { threads: 2 });
 * const { vectors, dim } = await encoder.embed(["How do I top up my card?"]);
 * await encoder.close();
 */
export async function loadEncoder(dir: string, options: LoadEncoderOptions = {}): Promise<OnnxEncoder> {
  checkOptions(options);
  const folder = await readEncoderFolder(dir, { quantized: options.quantized === true });
  const maxLength = Math.min(folder.maxLength, options.maxLength ?? Number.POSITIVE_INFINITY);
  const tokenizerFile = folder.tokenizerFiles[0] as string;
  const tokenizer = new EncoderTokenizer(
    folder.tokenizerJson,
    folder.tokenizerConfig,
    maxLength,
    tokenizerFile,
  );
  if (folder.config.vocabSize !== undefined && tokenizer.vocabSize > folder.config.vocabSize) {
    throw new TextkitError(
      "ENCODER_MISMATCH",
      `${tokenizerFile} has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${folder.config.vocabSize}`,
      { file: tokenizerFile },
    );
  }
  const threads = options.threads ?? availableParallelism();
  const ort = await import("onnxruntime-node");
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(folder.onnxPath, {
      executionProviders: ["cpu"],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new TextkitError(
      "ENCODER_BAD_FILE",
      `${folder.onnxPath} cannot be loaded by the ONNX runtime (${error instanceof Error ? error.message : String(error)})`,
      { file: folder.onnxPath, cause: error },
    );
  }
  const encoder = await assemble(ort, session, folder, tokenizer, options, threads).catch(
    async (error: unknown) => {
      await session.release();
      throw error;
    },
  );
  return encoder;
}

async function assemble(
  ort: typeof import("onnxruntime-node"),
  session: InferenceSession,
  folder: EncoderFolder,
  tokenizer: EncoderTokenizer,
  options: LoadEncoderOptions,
  threads: number,
): Promise<OnnxEncoder> {
  const graph = inspectGraph(session, folder.onnxPath);
  const pooling = options.pooling ?? folder.pooling;
  const normalize = options.normalize ?? folder.normalize;
  const info: EncoderInfo = {
    name: options.name ?? folder.name,
    modelType: folder.config.modelType,
    tokenizer: folder.tokenizerKind,
    pooling,
    normalize,
    hiddenSize: folder.config.hiddenSize,
    maxLength: tokenizer.maxLength,
    layers: folder.config.layers,
    onnxFile: folder.onnxPath,
    threads,
  };
  // What changes a vector is in the checksum: the weights, the tokenizer, the pooling and
  // the length texts are cut to.
  const checksum = await sha256Of(
    [folder.onnxPath, ...folder.tokenizerFiles],
    JSON.stringify({ pooling, normalize, maxLength: tokenizer.maxLength }),
  );
  const encoder = new OnnxEncoder({ ort, session, graph, tokenizer, folder, info, checksum });
  let probe: HiddenStates;
  try {
    probe = await encoder.forward([tokenizer.probe()]);
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    throw new TextkitError(
      "ENCODER_MISMATCH",
      `${folder.onnxPath} fails on the tokenizer's ids (${error instanceof Error ? error.message : String(error)}); check that the tokenizer and config.json belong to this model`,
      { file: folder.onnxPath, cause: error },
    );
  }
  if (probe.dim !== folder.config.hiddenSize) {
    throw new TextkitError(
      "ENCODER_MISMATCH",
      `${folder.onnxPath} returns vectors of ${probe.dim} values but config.json's hidden_size is ${folder.config.hiddenSize}`,
      { file: folder.onnxPath, details: { graph: probe.dim, config: folder.config.hiddenSize } },
    );
  }
  if (options.cacheDir !== undefined) {
    encoder.attachCache(await EmbeddingCache.open(options.cacheDir, checksum, folder.config.hiddenSize));
  }
  return encoder;
}
