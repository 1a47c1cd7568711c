/**
 * The training side of a tagger on a pretrained encoder (encoder-features.ts): the word
 * vectors of the training and dev sentences, computed once before the epochs (through the
 * encoder's on-disk cache when it has one), and the encoder's reference for the model.
 */
import type { TrainHooks } from "../../core/index.ts";
import {
  type SentenceVectors,
  sentenceVectors,
  standardize,
  type TaggerEncoderRef,
  taggerEncoderRef,
  vectorStats,
} from "./encoder-features.ts";
import type { TaggerOptions } from "./options.ts";
import type { SequenceTagger, TaggerTrainingData } from "./sequence-tagger.ts";

/** Word vectors of the training data, and the encoder they came from. */
export interface TrainingVectors {
  ref: TaggerEncoderRef;
  dim: number;
  train: SentenceVectors;
  dev: SentenceVectors | null;
  /** Every sentence's vectors, train and dev, by `sentenceKey`. */
  all: Map<string, Float32Array>;
}

/** Null without an encoder; else the vectors of every training and dev sentence. */
export async function trainingVectors(
  data: TaggerTrainingData,
  options: TaggerOptions,
  hooks: TrainHooks,
): Promise<TrainingVectors | null> {
  const { encoder } = data;
  if (encoder === undefined) return null;
  const t0 = performance.now();
  const trainSentences = data.train.sentences.map((s) => s.tokens);
  const devSentences = data.dev?.sentences.map((s) => s.tokens) ?? [];
  const total = trainSentences.length + devSentences.length;
  const report = (offset: number) => (p: { done: number }) => {
    const done = offset + p.done;
    const seconds = (performance.now() - t0) / 1000;
    hooks.onProgress?.({
      epoch: 1,
      epochs: 1,
      stage: "encoding",
      progress: done / Math.max(1, total),
      loss: 0,
      speed: done / Math.max(seconds, 1e-9),
      unit: "examples",
      etaSeconds: done === 0 ? 0 : (seconds / done) * (total - done),
    });
  };
  const train = await sentenceVectors(encoder, trainSentences, options.wordVector, report(0));
  const dev =
    devSentences.length === 0
      ? null
      : await sentenceVectors(encoder, devSentences, options.wordVector, report(trainSentences.length));
  const stats = vectorStats(train.flat, encoder.dim);
  standardize(train.flat, stats);
  if (dev !== null) standardize(dev.flat, stats);
  const all = new Map([...train.bySentence, ...(dev?.bySentence ?? [])]);
  const ref = taggerEncoderRef(encoder, data.encoderPath ?? null, options.wordVector, stats);
  return { ref, dim: encoder.dim, train, dev, all };
}

/** `fn()`, with the training vectors given to `model` when there are any. */
export function withTrainingVectors<R>(
  model: SequenceTagger,
  vectors: TrainingVectors | null,
  fn: () => R,
): R {
  return vectors === null ? fn() : model.withWordVectors(vectors.all, fn);
}
