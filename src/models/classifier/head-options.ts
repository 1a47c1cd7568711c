import { checkInt, checkNumber, checkOneOf, withDefaults } from "../../core/index.ts";
import { CLASSIFIER_LOSSES, type ClassifierLoss } from "./options.ts";

/** `options.kind` of the manifest of a classifier that is a head on an encoder. */
export const ENCODER_HEAD_KIND = "encoder-head";

/** The losses a head trains: the classifier's own (softmax, or one-vs-all for multi-label). */
export const HEAD_LOSSES = CLASSIFIER_LOSSES;
export type HeadLoss = ClassifierLoss;

/**
 * Every setting of a head trained on frozen sentence embeddings (issue 12): the training
 * practice of fine-tuning papers (AdamW, linear warm-up then decay, dropout, weight decay,
 * label smoothing, an effective batch through gradient accumulation, early stopping on the
 * dev set), applied to a softmax layer or a one-hidden-layer MLP. All are recorded in the
 * artifact.
 */
export interface HeadOptions {
  /** Units of the hidden layer (ReLU); 0 = a softmax (or ova) layer straight on the embeddings. */
  hidden: number;
  epochs: number;
  /** Peak learning rate of AdamW, reached after the warm-up. */
  lr: number;
  /** Fraction of the optimiser steps spent warming the learning rate up linearly from 0; it then decays linearly to 0. */
  warmup: number;
  /** Decoupled weight decay of AdamW (on weights, not biases). */
  weightDecay: number;
  /** Probability of dropping each input of the output layer (the embedding, or the hidden units) while training. */
  dropout: number;
  /** Share of the target spread over all labels (0 = one-hot). */
  labelSmoothing: number;
  /** Examples per gradient computation. */
  batchSize: number;
  /** Batches whose gradients add up before one optimiser step: the effective batch is batchSize × accumulate. */
  accumulate: number;
  /** Stop after this many epochs without gain on the dev set (0 = off); the best epoch's weights are kept. */
  patience: number;
  /** softmax: one label per text; ova: independent sigmoids, for multi-label data. */
  loss: HeadLoss;
  seed: number;
}

export const DEFAULT_HEAD_OPTIONS: Readonly<HeadOptions> = Object.freeze({
  hidden: 0,
  epochs: 30,
  lr: 0.01,
  warmup: 0.05,
  weightDecay: 0.01,
  dropout: 0.1,
  labelSmoothing: 0,
  batchSize: 32,
  accumulate: 1,
  patience: 5,
  loss: "softmax",
  seed: 1,
});

/** Fills in defaults and refuses values that cannot train (OPTION_INVALID). */
export function resolveHeadOptions(partial: Partial<HeadOptions> = {}): HeadOptions {
  const o = withDefaults(DEFAULT_HEAD_OPTIONS, partial);
  checkInt("hidden", o.hidden, 0, 65_536);
  checkInt("epochs", o.epochs, 1, 100_000);
  checkNumber("lr", o.lr, 0, 10, true);
  checkNumber("warmup", o.warmup, 0, 1);
  checkNumber("weightDecay", o.weightDecay, 0, 10);
  checkNumber("dropout", o.dropout, 0, 0.95);
  checkNumber("labelSmoothing", o.labelSmoothing, 0, 0.99);
  checkInt("batchSize", o.batchSize, 1, 1_000_000);
  checkInt("accumulate", o.accumulate, 1, 100_000);
  checkInt("patience", o.patience, 0, 100_000);
  checkOneOf("loss", o.loss, HEAD_LOSSES);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  return o;
}
