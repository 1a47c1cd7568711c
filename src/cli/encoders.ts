/**
 * `textkit encoders pull|info|embed`: fetch a pretrained encoder from the hub (the only
 * command that uses the network, and only when run), describe a model folder, and write
 * sentence vectors as JSONL.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { TextkitError } from "../core/index.ts";
import {
  type LoadEncoderOptions,
  loadEncoder,
  POOLING_MODES,
  type PoolingMode,
  pullEncoder,
} from "../models/encoder/index.ts";
import { addTextInputOptions, type TextInputFlags, textInputFormat } from "./data-options.ts";
import { readInputTexts } from "./input-texts.ts";
import { type CliIo, type CliOutput, writeAll } from "./io.ts";
import { checkFileOutput } from "./output-paths.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";
import { formatCount, ProgressBar } from "./progress-bar.ts";

interface PullFlags {
  to: string;
  endpoint?: string;
  revision: string;
  quantized?: boolean;
  quiet?: boolean;
}

async function runPull(repo: string, flags: PullFlags, io: CliIo): Promise<void> {
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const began = performance.now();
  const token = io.env["HF_TOKEN"];
  const endpoint = flags.endpoint ?? io.env["HF_ENDPOINT"];
  let result: Awaited<ReturnType<typeof pullEncoder>>;
  try {
    result = await pullEncoder(repo, {
      to: flags.to,
      revision: flags.revision,
      quantized: flags.quantized === true,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(token === undefined ? {} : { token }),
      onProgress: ({ file, bytes, total }) => {
        const seconds = (performance.now() - began) / 1000;
        bar.update({
          epoch: 1,
          epochs: 1,
          stage: file,
          progress: total === undefined || total === 0 ? 0 : bytes / total,
          speed: seconds > 0 ? bytes / seconds : 0,
          unit: "B",
          etaSeconds: total === undefined || bytes === 0 ? Number.NaN : ((total - bytes) * seconds) / bytes,
        });
      },
    });
  } finally {
    bar.finish();
  }
  await writeAll(io.stdout, `pulled ${repo} into ${result.dir}: ${result.files.join(", ")}\n`);
}

function registerPull(encoders: Command, io: CliIo): void {
  encoders
    .command("pull")
    .summary("download a hub model's encoder files into a folder")
    .description(
      "Download config.json, the tokenizer, the pooling files and one ONNX file of a hub model " +
        "(URLs ENDPOINT/ORG/NAME/resolve/REVISION/FILE) into a new folder, checked before it gets " +
        "its name. This is the only textkit command that uses the network. HF_TOKEN is sent for " +
        "gated models; HF_ENDPOINT names a mirror.",
    )
    .argument("<repo>", "the hub model, ORG/NAME (e.g. sentence-transformers/all-MiniLM-L6-v2)")
    .requiredOption("--to <dir>", "folder to create (it must not exist)")
    .option("--endpoint <url>", "the hub or a mirror (default: $HF_ENDPOINT, else https://huggingface.co)")
    .option("--revision <rev>", "branch, tag or commit", "main")
    .option("--quantized", "fetch onnx/model_quantized.onnx rather than onnx/model.onnx")
    .option("-q, --quiet", "no progress line on stderr")
    .action(async (repo: string, flags: PullFlags) => runPull(repo, flags, io));
}

interface LoadFlags {
  threads?: number;
  maxLength?: number;
  pooling?: PoolingMode;
  normalize?: boolean;
  quantized?: boolean;
  cache?: string;
}

function loadOptionsOf(flags: LoadFlags): LoadEncoderOptions {
  return {
    ...(flags.threads === undefined ? {} : { threads: flags.threads }),
    ...(flags.maxLength === undefined ? {} : { maxLength: flags.maxLength }),
    ...(flags.pooling === undefined ? {} : { pooling: flags.pooling }),
    ...(flags.normalize === undefined ? {} : { normalize: flags.normalize }),
    ...(flags.quantized === undefined ? {} : { quantized: flags.quantized }),
    ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
  };
}

function addLoadOptions(command: Command): Command {
  return command
    .option(
      "--threads <n>",
      "threads of the ONNX runtime (default: the machine's cores)",
      parseInteger("--threads", 1),
    )
    .option(
      "--max-length <n>",
      "cut texts to this many tokens (at most the model's maximum)",
      parseInteger("--max-length", 3),
    )
    .option(
      "--pooling <mode>",
      `pool token vectors by ${POOLING_MODES.join(", ")} (default: the folder's modules.json, else mean)`,
      parseChoice("--pooling", POOLING_MODES),
    )
    .option("--normalize", "scale vectors to unit length (default: as modules.json says)")
    .option("--no-normalize", "do not scale vectors to unit length")
    .option("--quantized", "use onnx/model_quantized.onnx when the folder has it");
}

async function runInfo(dir: string, flags: LoadFlags & { json?: boolean }, io: CliIo): Promise<void> {
  const encoder = await loadEncoder(dir, { ...loadOptionsOf(flags), threads: flags.threads ?? 1 });
  try {
    const { info } = encoder;
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ id: encoder.id, checksum: encoder.checksum, ...info }, null, 2)}\n`,
      );
      return;
    }
    const rows: Array<[string, string]> = [
      ["id", encoder.id],
      ["model", `${info.modelType}, ${info.layers} layers, ${info.hiddenSize} dimensions`],
      ["tokenizer", info.tokenizer],
      ["max length", `${info.maxLength} tokens`],
      ["pooling", `${info.pooling}${info.normalize ? ", normalised" : ""}`],
      ["onnx", info.onnxFile],
      ["checksum", encoder.checksum],
    ];
    await writeAll(io.stdout, `${rows.map(([k, v]) => `${k.padEnd(11)}${v}`).join("\n")}\n`);
  } finally {
    await encoder.close();
  }
}

function registerInfo(encoders: Command, io: CliIo): void {
  const command = encoders
    .command("info")
    .summary("check an encoder folder and describe it")
    .description(
      "Load an encoder folder (Hugging Face layout), check its ONNX graph against config.json, " +
        "and print what it is: model type, size, tokenizer, maximum length, pooling, checksum.",
    )
    .argument("<dir>", "the model folder");
  addLoadOptions(command)
    .option("--json", "print the description as JSON")
    .action(async (dir: string, flags: LoadFlags & { json?: boolean }) => runInfo(dir, flags, io));
}

interface EmbedFlags extends LoadFlags, TextInputFlags {
  input: string;
  out?: string;
  batchSize: number;
  quiet?: boolean;
}

/** A float32 in the fewest digits that read back as the same float32 (9 significant digits suffice). */
function vectorJson(vectors: Float32Array, row: number, dim: number): string {
  const parts: string[] = [];
  for (let d = 0; d < dim; d++) parts.push(String(Number((vectors[row * dim + d] as number).toPrecision(9))));
  return `[${parts.join(",")}]`;
}

/** Where JSONL goes: stdout, or a temporary file renamed to --out once everything is written. */
async function openOutput(
  out: string | undefined,
  io: CliIo,
): Promise<{ stream: CliOutput; done: (ok: boolean) => Promise<void> }> {
  if (out === undefined) return { stream: io.stdout, done: async () => undefined };
  checkFileOutput(out, "--out");
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(temp);
  return {
    stream: file,
    done: async (ok) => {
      await new Promise<void>((resolve, reject) =>
        file.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      if (ok) await rename(temp, out);
      else await unlink(temp).catch(() => undefined);
    },
  };
}

async function runEmbed(dir: string, flags: EmbedFlags, io: CliIo): Promise<void> {
  const texts: Array<{ text: string; line: number }> = [];
  for await (const batch of readInputTexts(flags.input, {
    format: textInputFormat(flags.input, flags.format),
    header: flags.header,
    batchSize: 4096,
    ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
  })) {
    texts.push(...batch);
  }
  if (texts.length === 0)
    throw new TextkitError("DATA_EMPTY", `${flags.input} has no text to embed`, { file: flags.input });
  const encoder = await loadEncoder(dir, loadOptionsOf(flags));
  const output = await openOutput(flags.out, io);
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const began = performance.now();
  let ok = false;
  let truncated = 0;
  let cached = 0;
  try {
    // Chunks bound the memory of vectors held at once; within a chunk texts are sorted by length.
    const chunk = Math.max(flags.batchSize * 32, 1024);
    for (let start = 0; start < texts.length; start += chunk) {
      const part = texts.slice(start, start + chunk);
      const out = await encoder.embed(
        part.map((t) => t.text),
        {
          batchSize: flags.batchSize,
          onProgress: ({ done }) => {
            const seconds = (performance.now() - began) / 1000;
            const all = start + done;
            bar.update({
              epoch: 1,
              epochs: 1,
              stage: "pass",
              progress: all / texts.length,
              speed: seconds > 0 ? all / seconds : 0,
              unit: "texts",
              etaSeconds: all > 0 ? ((texts.length - all) * seconds) / all : Number.NaN,
            });
          },
        },
      );
      truncated += out.truncated;
      cached += out.cached;
      for (let i = 0; i < part.length; i++) {
        const line = `{"line":${(part[i] as { line: number }).line},"vector":${vectorJson(out.vectors, i, out.dim)}}\n`;
        if (!(await writeAll(output.stream, line))) return;
      }
    }
    ok = true;
  } finally {
    bar.finish();
    await output.done(ok);
    await encoder.close();
  }
  const seconds = (performance.now() - began) / 1000;
  const notes = [
    `${truncated} cut to ${encoder.info.maxLength} tokens`,
    ...(flags.cache === undefined ? [] : [`${cached} from the cache`]),
  ];
  await writeAll(
    io.stderr,
    `embedded ${formatCount(texts.length)} texts with ${encoder.id} (dim ${encoder.dim}; ${notes.join(", ")}) in ${seconds.toFixed(1)}s${flags.out === undefined ? "" : ` -> ${flags.out}`}\n`,
  );
}

function registerEmbed(encoders: Command, io: CliIo): void {
  const command = encoders
    .command("embed")
    .summary("write sentence vectors of texts as JSONL")
    .description(
      "Encode texts (one per line, or the text column of a CSV/TSV/JSONL file) with a pretrained " +
        'encoder and write one JSON line per text: {"line": N, "vector": [...]}. Texts longer than ' +
        "the model's maximum are cut and counted.",
    )
    .argument("<dir>", "the model folder")
    .requiredOption("--input <file>", "texts to encode")
    .option(
      "--out <file>",
      "JSONL file to write (atomically, once every vector is in); default: standard output",
    )
    .option("--batch-size <n>", "texts per forward pass", parseInteger("--batch-size", 1), 32)
    .option("--cache <dir>", "embedding cache: texts embedded before with the same encoder are read back")
    .option("-q, --quiet", "no progress line on stderr");
  addTextInputOptions(command);
  addLoadOptions(command).action(async (dir: string, flags: EmbedFlags) => runEmbed(dir, flags, io));
}

/**
 * `textkit encoders` and its subcommands.
 *
 * @example
 * registerEncoders(program.command("encoders"), io);
 */
export function registerEncoders(encoders: Command, io: CliIo): void {
  registerPull(encoders, io);
  registerInfo(encoders, io);
  registerEmbed(encoders, io);
}
