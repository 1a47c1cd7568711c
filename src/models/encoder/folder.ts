/**
 * Reading a model folder in the Hugging Face layout: what config.json, the tokenizer files
 * and sentence-transformers' pooling files say, checked before any weight is loaded. Every
 * missing or malformed file is a coded error that names the file (and, for a missing one,
 * every place it was looked for).
 */
import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { TextkitError } from "../../core/index.ts";
import { POOLING_MODES, type PoolingMode } from "./types.ts";

type Json = Record<string, unknown>;

/** What textkit needs from config.json. */
export interface ModelConfig {
  modelType: string;
  hiddenSize: number;
  layers: number;
  vocabSize: number | undefined;
  maxPositions: number | undefined;
  padTokenId: number;
}

export interface EncoderFolder {
  dir: string;
  name: string;
  config: ModelConfig;
  /** tokenizer.json's content, or one built from vocab.txt + tokenizer_config.json. */
  tokenizerJson: Json;
  tokenizerConfig: Json;
  tokenizerKind: "wordpiece" | "unigram" | "bpe";
  /** The files the tokenizer came from (for the checksum). */
  tokenizerFiles: string[];
  onnxPath: string;
  pooling: PoolingMode;
  normalize: boolean;
  /** The model's own maximum sequence length, special tokens included. */
  maxLength: number;
}

export interface ReadFolderOptions {
  /** Prefer onnx/model_quantized.onnx over onnx/model.onnx. */
  quantized?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readJson(path: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TextkitError("ENCODER_FILE_MISSING", `${path} does not exist or cannot be read`, {
      file: path,
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TextkitError("ENCODER_BAD_FILE", `${path} is not valid JSON`, { file: path, cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TextkitError("ENCODER_BAD_FILE", `${path} must hold a JSON object`, { file: path });
  }
  return value as Json;
}

function positiveInt(config: Json, key: string, file: string, required: true): number;
function positiveInt(config: Json, key: string, file: string, required: false): number | undefined;
function positiveInt(config: Json, key: string, file: string, required: boolean): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) {
    if (!required) return undefined;
    throw new TextkitError("ENCODER_BAD_FILE", `${file} has no "${key}"`, { file });
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new TextkitError(
      "ENCODER_BAD_FILE",
      `${file}: "${key}" must be a whole number, not ${JSON.stringify(value)}`,
      {
        file,
      },
    );
  }
  return value;
}

function readConfig(json: Json, file: string): ModelConfig {
  const modelType = typeof json["model_type"] === "string" ? json["model_type"] : "unknown";
  return {
    modelType,
    hiddenSize: positiveInt(json, "hidden_size", file, true),
    layers: positiveInt(json, "num_hidden_layers", file, false) ?? 0,
    vocabSize: positiveInt(json, "vocab_size", file, false),
    maxPositions: positiveInt(json, "max_position_embeddings", file, false),
    padTokenId: positiveInt(json, "pad_token_id", file, false) ?? 0,
  };
}

/** The ONNX file, in the order transformers.js and Optimum lay them out. */
async function findOnnx(dir: string, quantized: boolean): Promise<string> {
  const names = quantized
    ? ["onnx/model_quantized.onnx", "onnx/model.onnx", "model_quantized.onnx", "model.onnx"]
    : ["onnx/model.onnx", "onnx/model_quantized.onnx", "model.onnx", "model_quantized.onnx"];
  for (const name of names) {
    const path = join(dir, name);
    if (await exists(path)) return path;
  }
  throw new TextkitError(
    "ENCODER_FILE_MISSING",
    `${dir} has no ONNX model: looked for ${names.map((n) => join(dir, n)).join(", ")}`,
    { file: dir, details: { lookedFor: names.map((n) => join(dir, n)) } },
  );
}

const SPECIAL_DEFAULTS = { unk: "[UNK]", cls: "[CLS]", sep: "[SEP]", pad: "[PAD]", mask: "[MASK]" } as const;

function tokenName(config: Json, key: string, fallback: string): string {
  const value = config[key];
  if (typeof value === "string") return value;
  // tokenizer_config.json may write a token as an AddedToken object.
  if (typeof value === "object" && value !== null && typeof (value as Json)["content"] === "string") {
    return (value as Json)["content"] as string;
  }
  return fallback;
}

/**
 * The tokenizer.json a BERT tokenizer with this vocab.txt and tokenizer_config.json
 * amounts to: BERT's normaliser (lower case and accent stripping unless told otherwise,
 * Chinese characters split), its pre-tokeniser, WordPiece, `[CLS] ... [SEP]`.
 */
export function wordPieceTokenizerJson(vocabText: string, config: Json, file: string): Json {
  const vocab: Record<string, number> = {};
  const lines = vocabText.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((token, i) => {
    if (!(token in vocab)) vocab[token] = i;
  });
  const specials = {
    unk: tokenName(config, "unk_token", SPECIAL_DEFAULTS.unk),
    cls: tokenName(config, "cls_token", SPECIAL_DEFAULTS.cls),
    sep: tokenName(config, "sep_token", SPECIAL_DEFAULTS.sep),
    pad: tokenName(config, "pad_token", SPECIAL_DEFAULTS.pad),
    mask: tokenName(config, "mask_token", SPECIAL_DEFAULTS.mask),
  };
  for (const token of [specials.unk, specials.cls, specials.sep]) {
    if (!(token in vocab)) {
      throw new TextkitError("ENCODER_BAD_FILE", `${file} lacks the special token ${token}`, { file });
    }
  }
  const lowercase = config["do_lower_case"] !== false;
  const stripAccents = config["strip_accents"];
  const special = (token: string) => ({
    id: vocab[token],
    content: token,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: "1.0",
    added_tokens: Object.values(specials)
      .filter((t, i, all) => t in vocab && all.indexOf(t) === i)
      .map(special),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: config["tokenize_chinese_chars"] !== false,
      strip_accents: typeof stripAccents === "boolean" ? stripAccents : null,
      lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    model: {
      type: "WordPiece",
      unk_token: specials.unk,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: specials.cls, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: specials.sep, type_id: 0 } },
      ],
      pair: [],
      special_tokens: {
        [specials.cls]: { id: specials.cls, ids: [vocab[specials.cls]], tokens: [specials.cls] },
        [specials.sep]: { id: specials.sep, ids: [vocab[specials.sep]], tokens: [specials.sep] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  };
}

const TOKENIZER_KINDS: Readonly<Record<string, EncoderFolder["tokenizerKind"]>> = {
  WordPiece: "wordpiece",
  Unigram: "unigram",
  BPE: "bpe",
};

async function readTokenizer(
  dir: string,
): Promise<Pick<EncoderFolder, "tokenizerJson" | "tokenizerConfig" | "tokenizerKind" | "tokenizerFiles">> {
  const jsonPath = join(dir, "tokenizer.json");
  const configPath = join(dir, "tokenizer_config.json");
  const vocabPath = join(dir, "vocab.txt");
  const tokenizerConfig = (await exists(configPath)) ? await readJson(configPath) : {};
  const configFiles = (await exists(configPath)) ? [configPath] : [];
  let tokenizerJson: Json;
  let files: string[];
  if (await exists(jsonPath)) {
    tokenizerJson = await readJson(jsonPath);
    files = [jsonPath, ...configFiles];
  } else if (await exists(vocabPath)) {
    tokenizerJson = wordPieceTokenizerJson(await readFile(vocabPath, "utf8"), tokenizerConfig, vocabPath);
    files = [vocabPath, ...configFiles];
  } else {
    throw new TextkitError(
      "ENCODER_FILE_MISSING",
      `${dir} has no tokenizer: looked for ${jsonPath} and ${vocabPath} (with ${configPath})`,
      { file: dir, details: { lookedFor: [jsonPath, vocabPath] } },
    );
  }
  const model = tokenizerJson["model"];
  const type = typeof model === "object" && model !== null ? (model as Json)["type"] : undefined;
  const kind = typeof type === "string" ? TOKENIZER_KINDS[type] : undefined;
  if (kind === undefined) {
    throw new TextkitError(
      "ENCODER_UNSUPPORTED",
      `${files[0]}: tokenizer model ${JSON.stringify(type ?? null)} is not supported (WordPiece, Unigram or BPE)`,
      { file: files[0] },
    );
  }
  return { tokenizerJson, tokenizerConfig, tokenizerKind: kind, tokenizerFiles: files };
}

/** Pooling from modules.json + its Pooling folder's config.json; mean without them. */
async function readPooling(dir: string): Promise<{ pooling: PoolingMode; normalize: boolean }> {
  const modulesPath = join(dir, "modules.json");
  if (!(await exists(modulesPath))) return { pooling: "mean", normalize: false };
  let modules: unknown;
  try {
    modules = JSON.parse(await readFile(modulesPath, "utf8"));
  } catch (error) {
    throw new TextkitError("ENCODER_BAD_FILE", `${modulesPath} is not valid JSON`, {
      file: modulesPath,
      cause: error,
    });
  }
  if (!Array.isArray(modules)) {
    throw new TextkitError("ENCODER_BAD_FILE", `${modulesPath} must hold a list of modules`, {
      file: modulesPath,
    });
  }
  const typeOf = (m: unknown): string =>
    typeof m === "object" && m !== null && typeof (m as Json)["type"] === "string"
      ? ((m as Json)["type"] as string)
      : "";
  const normalize = modules.some((m) => typeOf(m).endsWith(".Normalize"));
  const poolingModule = modules.find((m) => typeOf(m).endsWith(".Pooling"));
  if (poolingModule === undefined) return { pooling: "mean", normalize };
  const folder = (poolingModule as Json)["path"];
  const path = join(dir, typeof folder === "string" ? folder : "1_Pooling", "config.json");
  const config = await readJson(path);
  const modes = POOLING_MODES.filter((mode) => config[`pooling_mode_${POOLING_KEYS[mode]}`] === true);
  const others = Object.keys(config).filter(
    (k) =>
      k.startsWith("pooling_mode_") &&
      config[k] === true &&
      !modes.some((m) => k === `pooling_mode_${POOLING_KEYS[m]}`),
  );
  if (modes.length !== 1 || others.length > 0) {
    const on = Object.keys(config).filter((k) => k.startsWith("pooling_mode_") && config[k] === true);
    throw new TextkitError(
      "ENCODER_UNSUPPORTED",
      `${path} turns on ${on.length === 0 ? "no pooling mode" : on.join(" + ")}; textkit pools by exactly one of mean, CLS or max`,
      { file: path },
    );
  }
  return { pooling: modes[0] as PoolingMode, normalize };
}

const POOLING_KEYS: Readonly<Record<PoolingMode, string>> = {
  mean: "mean_tokens",
  cls: "cls_token",
  max: "max_tokens",
};

/** Models whose positions start after the padding id (RoBERTa's scheme) lose that many positions. */
const PADDING_OFFSET_TYPES = new Set(["roberta", "xlm-roberta", "camembert", "xlm-roberta-xl"]);

async function maxLengthOf(dir: string, config: ModelConfig, tokenizerConfig: Json): Promise<number> {
  const limits: number[] = [];
  if (config.maxPositions !== undefined) {
    limits.push(
      config.maxPositions - (PADDING_OFFSET_TYPES.has(config.modelType) ? config.padTokenId + 1 : 0),
    );
  }
  const declared = tokenizerConfig["model_max_length"];
  // transformers writes a huge number (1e30) when a tokenizer declares no maximum.
  if (typeof declared === "number" && declared > 0 && declared < 1e6) limits.push(declared);
  const stPath = join(dir, "sentence_bert_config.json");
  if (await exists(stPath)) {
    const seq = (await readJson(stPath))["max_seq_length"];
    if (typeof seq === "number" && seq > 0) limits.push(seq);
  }
  return limits.length === 0 ? 512 : Math.floor(Math.min(...limits));
}

/**
 * Reads and checks a model folder: config.json, the tokenizer, the ONNX file's place and
 * the pooling. Loads no weights.
 */
export async function readEncoderFolder(
  dir: string,
  options: ReadFolderOptions = {},
): Promise<EncoderFolder> {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new TextkitError("ENCODER_FILE_MISSING", `encoder folder ${dir} does not exist`, { file: dir });
  }
  const configPath = join(root, "config.json");
  if (!(await exists(configPath))) {
    throw new TextkitError("ENCODER_FILE_MISSING", `${dir} has no config.json (looked for ${configPath})`, {
      file: dir,
      details: { lookedFor: [configPath] },
    });
  }
  const config = readConfig(await readJson(configPath), configPath);
  const tokenizer = await readTokenizer(root);
  const onnxPath = await findOnnx(root, options.quantized === true);
  const pooling = await readPooling(root);
  return {
    dir: root,
    name: basename(root),
    config,
    ...tokenizer,
    onnxPath,
    ...pooling,
    maxLength: await maxLengthOf(root, config, tokenizer.tokenizerConfig),
  };
}
