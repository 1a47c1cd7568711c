/**
 * The command line of heads on pretrained encoders (issue 12): `classify train --encoder
 * DIR` and its head options, and, for eval and predict, one way to open any classifier
 * artifact: an n-gram model as it is, a head with its encoder (the folder given by
 * --encoder, else the one bundled in the artifact, else the folder it was trained with).
 */
import { type Command, Option } from "commander";
import { type SentenceEncoder, TextkitError } from "../core/index.ts";
import type { Dataset } from "../data/index.ts";
import {
  type ClassifierEvaluation,
  type ClassifierOptions,
  DEFAULT_HEAD_OPTIONS,
  type EncoderClassifier,
  encoderHeadOf,
  HEAD_LOSSES,
  type HeadOptions,
  loadClassifier,
  loadEncoderClassifier,
  type Prediction,
  type PredictOptions,
  resolveHeadOptions,
  trainClassifier,
  unpackEncoderBundle,
} from "../models/classifier/index.ts";
import { loadEncoder } from "../models/encoder/index.ts";
import { defaultedOption, parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import type { ProgressBar } from "./progress-bar.ts";
import { classifierHooks } from "./report-output.ts";

/** What commander hands over for the encoder and head options. */
export interface EncoderHeadFlags {
  encoder?: string;
  hidden: number;
  warmup: number;
  weightDecay: number;
  dropout: number;
  labelSmoothing: number;
  headBatch: number;
  accumulate: number;
  ensemble?: boolean;
  bundle?: boolean;
  encoderThreads?: number;
  encoderCache?: string;
  autotuneTrials?: number;
}

/** The head's own training options: --hidden, --warmup, ..., --accumulate (each "with --encoder"). */
function addHeadTrainingOptions(command: Command): void {
  const d = DEFAULT_HEAD_OPTIONS;
  command
    .addOption(
      defaultedOption(
        "--hidden <n>",
        "with --encoder: units of the head's hidden layer (0 = a softmax layer)",
        parseInteger("--hidden", 0),
        d.hidden,
      ),
    )
    .addOption(
      defaultedOption(
        "--warmup <fraction>",
        "with --encoder: share of the steps warming the learning rate up, then it decays linearly",
        parseNumber("--warmup", 0),
        d.warmup,
      ),
    )
    .addOption(
      defaultedOption(
        "--weight-decay <w>",
        "with --encoder: AdamW's decoupled weight decay",
        parseNumber("--weight-decay", 0),
        d.weightDecay,
      ),
    )
    .addOption(
      defaultedOption(
        "--dropout <p>",
        "with --encoder: dropout on the head's inputs while training",
        parseNumber("--dropout", 0),
        d.dropout,
      ),
    )
    .addOption(
      defaultedOption(
        "--label-smoothing <e>",
        "with --encoder: share of the target spread over all labels",
        parseNumber("--label-smoothing", 0),
        d.labelSmoothing,
      ),
    )
    .addOption(
      defaultedOption(
        "--head-batch <n>",
        "with --encoder: examples per gradient",
        parseInteger("--head-batch", 1),
        d.batchSize,
      ),
    )
    .addOption(
      defaultedOption(
        "--accumulate <n>",
        "with --encoder: batches per optimiser step (effective batch = head-batch × accumulate)",
        parseInteger("--accumulate", 1),
        d.accumulate,
      ),
    );
}

/** What `classify train`'s own options set when they apply to the head. */
const CLASSIFY_SHARED =
  "--epochs, --lr, --seed, --patience and --loss then set the head's (defaults 30, 0.01, 1, 5)";

/**
 * Adds --encoder and the head's options to a training command. `shared` says which of the
 * command's own options set the head's (`classify train` has --lr, --patience and --loss;
 * `assist train` has only --epochs and --seed), so the help names only flags that exist.
 */
export function addEncoderHeadOptions(command: Command, shared = CLASSIFY_SHARED): Command {
  command.option(
    "--encoder <dir>",
    `train a head on this pretrained encoder's sentence embeddings (Hugging Face folder with an ONNX file) instead of the n-gram model; ${shared}`,
  );
  addHeadTrainingOptions(command);
  return command
    .option(
      "--ensemble",
      "with --encoder: also train the n-gram model and mix the two, the weight chosen on the dev data",
    )
    .option(
      "--bundle",
      "with --encoder: copy the encoder's files into the model directory, so it loads without them",
    )
    .addOption(
      new Option("--encoder-threads <n>", "threads of the encoder's runtime (default: every core)").argParser(
        parseInteger("--encoder-threads", 1),
      ),
    )
    .option(
      "--encoder-cache <dir>",
      "keep embeddings here, keyed by the encoder's checksum and the text, so that training again does not encode again",
    );
}

/** Adds --encoder (and its threads and cache) to a command that reads a trained classifier. */
export function addEncoderOption(command: Command): Command {
  return command
    .option(
      "--encoder <dir>",
      "for a head on a pretrained encoder: the encoder's folder (default: the copy bundled in the model, else the folder it was trained with)",
    )
    .addOption(
      new Option("--encoder-threads <n>", "threads of the encoder's runtime (default: every core)").argParser(
        parseInteger("--encoder-threads", 1),
      ),
    )
    .option("--encoder-cache <dir>", "keep embeddings here, keyed by the encoder's checksum and the text");
}

/** Opens an encoder folder with the command's thread count and cache. */
export function openEncoder(dir: string, flags: { encoderThreads?: number; encoderCache?: string }) {
  return loadEncoder(dir, {
    ...(flags.encoderThreads === undefined ? {} : { threads: flags.encoderThreads }),
    ...(flags.encoderCache === undefined ? {} : { cacheDir: flags.encoderCache }),
  });
}

/** The head's options from the flags: the shared ones (epochs, lr, ...) only where typed. */
export function headOptionsOf(
  flags: EncoderHeadFlags & Partial<ClassifierOptions>,
  given: ReadonlySet<keyof ClassifierOptions>,
): HeadOptions {
  const shared: Partial<HeadOptions> = {};
  if (given.has("epochs") && flags.epochs !== undefined) shared.epochs = flags.epochs;
  if (given.has("lr") && flags.lr !== undefined) shared.lr = flags.lr;
  if (given.has("seed") && flags.seed !== undefined) shared.seed = flags.seed;
  if (given.has("patience") && flags.patience !== undefined) shared.patience = flags.patience;
  if (given.has("loss") && flags.loss !== undefined)
    shared.loss = parseChoice("--loss", HEAD_LOSSES)(flags.loss);
  return resolveHeadOptions({
    hidden: flags.hidden,
    warmup: flags.warmup,
    weightDecay: flags.weightDecay,
    dropout: flags.dropout,
    labelSmoothing: flags.labelSmoothing,
    batchSize: flags.headBatch,
    accumulate: flags.accumulate,
    ...shared,
  });
}

/**
 * Trains a head with progress on `bar` (encoding, then epochs), saves it to `out` (with
 * the encoder's files when `bundle`), and returns it with the encoder still open: `close`
 * releases it.
 */
export async function trainHeadAndSave(
  data: { train: Dataset; dev?: Dataset },
  flags: EncoderHeadFlags,
  head: HeadOptions,
  ngramOptions: Partial<ClassifierOptions>,
  out: string,
  bar: ProgressBar,
): Promise<{ model: EncoderClassifier; close: () => Promise<void> }> {
  const dir = flags.encoder!;
  const encoder = await openEncoder(dir, flags);
  const started = performance.now();
  let model: EncoderClassifier;
  try {
    model = await trainClassifier(
      data,
      {
        encoder,
        encoderPath: dir,
        head: { ...head, loss: data.train.multiLabel && head.loss === "softmax" ? "ova" : head.loss },
        ensemble: flags.ensemble === true ? ngramOptions : false,
        ...(flags.autotuneTrials === undefined ? {} : { autotuneTrials: flags.autotuneTrials }),
      },
      {
        ...classifierHooks(bar, head.epochs),
        onEncode: (p) =>
          bar.update({
            epoch: 1,
            epochs: 1,
            stage: `encoding ${p.what}`,
            progress: p.total === 0 ? 1 : p.done / p.total,
            speed: p.done / Math.max(1e-3, (performance.now() - started) / 1000),
            unit: "texts",
            etaSeconds: 0,
          }),
      },
    );
  } catch (error) {
    await encoder.close();
    throw error;
  } finally {
    bar.finish();
  }
  const final = model.runRecord?.final["encoder"] as
    | { truncated: number; cached: number; seconds: number }
    | undefined;
  if (final !== undefined) {
    bar.log(
      `encoder ${encoder.id}: ${final.seconds.toFixed(1)} s, ${final.truncated} texts truncated to its maximum length, ${final.cached} from the cache`,
    );
  }
  try {
    await model.save(out, { bundle: flags.bundle === true });
  } catch (error) {
    await encoder.close();
    throw error;
  }
  return { model, close: () => encoder.close() };
}

/** A classifier of either kind, as eval and predict use it. */
export interface OpenedClassifier {
  labels: readonly string[];
  multiLabel: boolean;
  task: "multiclass" | "multilabel";
  predict(texts: readonly string[], options: PredictOptions): Promise<Prediction[]>;
  evaluate(data: Dataset): Promise<ClassifierEvaluation>;
  close(): Promise<void>;
}

/**
 * Opens the classifier in `dir`. A head needs its encoder: `encoderDir` when given, else
 * the copy bundled in the artifact, else the folder recorded at training
 * (HEAD_ENCODER_REQUIRED when none is there); the encoder must have the head's checksum.
 */
export async function openClassifier(
  dir: string,
  flags: { encoder?: string; encoderThreads?: number; encoderCache?: string },
): Promise<OpenedClassifier> {
  const head = await encoderHeadOf(dir);
  if (head === null) {
    const model = await loadClassifier(dir);
    return {
      labels: model.labels,
      multiLabel: model.multiLabel,
      task: model.task,
      predict: async (texts, options) => model.predict(texts, options),
      evaluate: async (data) => model.evaluate(data),
      close: async () => {},
    };
  }
  const from = flags.encoder ?? (head.bundled ? await unpackEncoderBundle(dir) : head.encoder.path);
  if (from === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on the encoder ${head.encoder.id}: pass --encoder DIR`,
      { file: dir },
    );
  }
  let encoder: SentenceEncoder & { close(): Promise<void> };
  try {
    encoder = await openEncoder(from, flags);
  } catch (cause) {
    if (
      flags.encoder !== undefined ||
      !(cause instanceof TextkitError) ||
      cause.code !== "ENCODER_FILE_MISSING"
    )
      throw cause;
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on the encoder ${head.encoder.id}, which is no longer at ${from}: pass --encoder DIR`,
      { file: dir, cause },
    );
  }
  try {
    const model = await loadEncoderClassifier(dir, encoder);
    return {
      labels: model.labels,
      multiLabel: model.multiLabel,
      task: model.task,
      predict: (texts, options) => model.predict(texts, options),
      evaluate: (data) => model.evaluate(data),
      close: () => encoder.close(),
    };
  } catch (error) {
    await encoder.close();
    throw error;
  }
}
