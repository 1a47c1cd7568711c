/**
 * A worker thread of the pipeline pool: it loads the monitor's models from their artifact
 * directories (once per directory, so a swapped-in version is loaded when a batch first
 * names it) and runs the whole pipeline on each batch it is sent.
 */
import { parentPort, workerData } from "node:worker_threads";
import { isTextkitError, type SentenceEncoder } from "../../core/index.ts";
import {
  type EncoderClassifier,
  type LanguageDetector,
  loadLanguageDetector,
  type TextClassifier,
} from "../../models/classifier/index.ts";
import { loadTagger, type SequenceTagger } from "../../models/tagger/index.ts";
import { TokenIds } from "../../text/index.ts";
import type { MonitorConfig } from "./config.ts";
import { classifierLabeler, loadAnyClassifier, taggerFinder } from "./directory-models.ts";
import { DocumentPipeline, type MonitorModelSource } from "./pipeline.ts";
import { type FindingColumns, findingColumns, type InputColumns, inputsOf } from "./pipeline-wire.ts";
import { type BatchPrecount, precount } from "./store-counts.ts";
import { TermExtractor } from "./terms.ts";

export interface PipelineRequest {
  id: number;
  inputs: InputColumns;
  ingestedAt: number;
  /** Artifact directory of every model the configuration names, for this batch. */
  dirs: Record<string, { dir: string; kind: "classifier" | "tagger" }>;
}

export type PipelineReply =
  | { id: number; found: FindingColumns; counts: BatchPrecount }
  | { id: number; error: { code: string | null; message: string; details?: Record<string, unknown> } };

/** Versions kept loaded per model name (the active one and the one before, during a swap). */
const KEEP_VERSIONS = 2;

const config = (workerData as { config: MonitorConfig }).config;
const classifiers = new Map<string, Promise<TextClassifier | EncoderClassifier>>();
/**
 * Encoders of the heads among them, one per checksum. Each worker runs its own session on
 * one thread: the workers are the parallelism (one per core), so sessions of several
 * threads would only compete for the same cores (see bench:monitor-encoder).
 */
const encoders = new Map<string, Promise<SentenceEncoder>>();
const ENCODER_THREADS = { threads: 1 } as const;
const taggers = new Map<string, Promise<SequenceTagger>>();
const versions = new Map<string, string[]>();
/** Loaded on the first batch (Monitor.open has loaded it once already, so a bad path fails there). */
let languages: Promise<LanguageDetector> | null = null;
/** One for every batch, so that its cache of tokens seen lasts. */
const terms = new TermExtractor(config.termsPerDocument);
/** One for every batch too, so that the models' and the terms' lookups by token id last. */
const tokenIds = new TokenIds();

/** Loads `dir` once, and forgets versions of `name` older than the last two. */
function remember<T>(
  cache: Map<string, Promise<T>>,
  name: string,
  dir: string,
  load: () => Promise<T>,
): Promise<T> {
  let model = cache.get(dir);
  if (model === undefined) {
    model = load();
    cache.set(dir, model);
    // A failed load is tried again on the next batch.
    model.catch(() => cache.delete(dir));
    const seen = versions.get(name) ?? [];
    seen.push(dir);
    while (seen.length > KEEP_VERSIONS) cache.delete(seen.shift()!);
    versions.set(name, seen);
  }
  return model;
}

async function handle(request: PipelineRequest): Promise<PipelineReply> {
  try {
    const loadedClassifiers = new Map<string, TextClassifier | EncoderClassifier>();
    const loadedTaggers = new Map<string, SequenceTagger>();
    for (const [name, { dir, kind }] of Object.entries(request.dirs)) {
      if (kind === "classifier")
        loadedClassifiers.set(
          name,
          await remember(classifiers, name, dir, () => loadAnyClassifier(dir, encoders, ENCODER_THREADS)),
        );
      else loadedTaggers.set(name, await remember(taggers, name, dir, () => loadTagger(dir)));
    }
    const models: MonitorModelSource = {
      labeler: (name) => classifierLabeler(loadedClassifiers.get(name)!),
      entityFinder: (name) => taggerFinder(loadedTaggers.get(name)!),
    };
    languages ??= loadLanguageDetector(config.language);
    const docs = await new DocumentPipeline(config, models, await languages, terms, tokenIds).enrich(
      inputsOf(request.inputs),
      request.ingestedAt,
    );
    // Only what the pipeline found goes back, as columns: the main thread has the rest. With
    // it, the batch's counts, made here rather than on the main thread (see precount).
    return { id: request.id, found: findingColumns(docs), counts: precount(docs) };
  } catch (error) {
    return {
      id: request.id,
      error: {
        code: isTextkitError(error) ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
        ...(isTextkitError(error) && error.details !== undefined ? { details: error.details } : {}),
      },
    };
  }
}

parentPort?.on("message", (request: PipelineRequest) => {
  void handle(request).then((reply) => parentPort?.postMessage(reply));
});
