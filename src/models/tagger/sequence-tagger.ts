/**
 * A trained linear-chain sequence tagger: per token, hashed observation features score
 * each tag; tag-to-tag transitions score pairs; Viterbi over the allowed transitions finds
 * the best valid sequence, and forward-backward with a fitted temperature gives each
 * entity a probability. Training is in train.ts, the artifact's reading in load-tagger.ts.
 */
import { bytesOf, type ManifestInput, saveModel, type TrainedModel } from "../../artifact/index.ts";
import {
  convertTags,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  TextkitError,
  tagChunks,
  type WordEncoder,
} from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import {
  type EntityReport,
  entityReport,
  type TokenLevelReport,
  tokenLevelReport,
} from "../../eval/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { tokenizeForTagging } from "../../text/index.ts";
import {
  addDenseEmissions,
  checkTaggerEncoder,
  sentenceKey,
  sentenceVectors,
  TAGGER_DENSE_FILE,
  TAGGER_ENCODER_FILE,
  type TaggerEncoderRef,
} from "./encoder-features.ts";
import type { FeatureTable } from "./feature-table.ts";
import { type FeatureResources, TaggerFeatures } from "./features.ts";
import type { GazetteerEntry } from "./gazetteer.ts";
import {
  forwardBackward,
  LatticeScratch,
  pathScore,
  scaledLogZ,
  scaledTransitions,
  segmentProbability,
} from "./lattice.ts";
import type { TaggerOptions } from "./options.ts";
import type { TagSet } from "./tag-set.ts";
import { transitionBounds, ViterbiScratch, viterbi } from "./viterbi.ts";

export const TAGGER_FAMILY = "tagger";
export const TAGGER_TASK = "entities";

/** An entity found in a text: `text.slice(start, end)` (UTF-16 offsets) is `text`. */
export interface EntitySpan {
  text: string;
  label: string;
  start: number;
  end: number;
  /**
   * The probability of exactly this entity (its span and its type), from forward-backward
   * over the tagger's scores with a temperature fitted on held-out data (see
   * `SequenceTagger.calibration`).
   */
  score: number;
}

export interface TaggedText {
  entities: EntitySpan[];
  /** With `tokens: true`: the tokens and their BIO tags. */
  tokens?: { token: string; start: number; end: number; tag: string }[];
}

export interface TagPredictOptions {
  /** Also return every token with its tag. */
  tokens?: boolean;
}

export interface TaggerEvaluation {
  /** Entity-level, strict matching (the numbers of seqeval's strict mode). */
  entities: EntityReport;
  /** Token-level reports, clearly not entity scores: with and without the O tag. */
  tokens: TokenLevelReport;
  tokensWithoutO: TokenLevelReport;
  sentences: number;
  /** BIO tags predicted for each sentence. */
  predictions: string[][];
}

export interface TaggerTrainingData extends TaggerResourcesInput {
  train: TaggedDataset;
  dev?: TaggedDataset;
  /** Learn dense emissions over this pretrained encoder's word vectors too (encoder-features.ts). */
  encoder?: WordEncoder;
  /** The folder `encoder` was loaded from, recorded as a hint for loaders. */
  encoderPath?: string;
}

/** What a tagger learns from beside the tagged sentences; part of its training data. */
export interface TaggerResourcesInput {
  /** Known names by type; see readGazetteerEntries. */
  gazetteer?: readonly GazetteerEntry[];
}

/** The weights of a tagger: one row of tag scores per feature, and the transition scores. */
export interface TaggerWeights {
  /** rows × T */
  emit: Float32Array;
  /** T × T (previous, current) */
  trans: Float32Array;
  start: Float32Array;
  end: Float32Array;
  /** Taggers on an encoder: dense emission weights over its word vectors, hidden × T. */
  dense?: Float32Array;
}

/**
 * How the tagger's scores become probabilities: every score is multiplied by `scale`
 * before forward-backward, `scale` being the one that gives the held-out sentences the
 * highest likelihood.
 */
export interface TaggerCalibration {
  scale: number;
  /** Which sentences the scale was fitted on. */
  fittedOn: "dev" | "train" | "none";
  sentences: number;
  /** Mean log-likelihood of those sentences' true tag sequences at that scale. */
  meanLogLikelihood: number;
}

export const NO_CALIBRATION: TaggerCalibration = {
  scale: 1,
  fittedOn: "none",
  sentences: 0,
  meanLogLikelihood: 0,
};

/** A trained sequence tagger. Create one with `trainTagger` or `loadTagger`. */
export class SequenceTagger
  implements TrainedModel<readonly string[], TaggedText[], TaggedDataset, TaggerEvaluation>
{
  readonly options: TaggerOptions;
  readonly language: TextLanguage;
  /** Entity types, in code point order. */
  readonly types: readonly string[];
  readonly runRecord: RunRecord | null;
  readonly calibration: TaggerCalibration;
  /** @internal */
  readonly tagSet: TagSet;
  /** @internal */
  readonly table: FeatureTable;
  /** @internal */
  readonly weights: TaggerWeights;
  /** @internal */
  readonly resources: FeatureResources;
  private readonly features: TaggerFeatures;
  private readonly hashes: number[] = [];
  private readonly offsets: number[] = [];
  private readonly scratch = new ViterbiScratch();
  private emitScratch = new Float64Array(0);
  private pathScratch = new Int32Array(0);
  private readonly lattice = new LatticeScratch();
  private readonly bounds = new WeakMap<Float32Array, Float32Array>();
  /** Taggers on an encoder: the encoder, and the word vectors of the sentences being tagged. */
  private encoder: WordEncoder | null = null;
  private wordVectors: ReadonlyMap<string, Float32Array> | null = null;

  constructor(
    options: TaggerOptions,
    language: TextLanguage,
    types: readonly string[],
    tagSet: TagSet,
    table: FeatureTable,
    weights: TaggerWeights,
    resources: FeatureResources,
    runRecord: RunRecord | null,
    calibration: TaggerCalibration = NO_CALIBRATION,
  ) {
    this.calibration = calibration;
    this.options = options;
    this.language = language;
    this.types = types;
    this.tagSet = tagSet;
    this.table = table;
    this.weights = weights;
    this.resources = resources;
    this.runRecord = runRecord;
    this.features = new TaggerFeatures(language, resources);
  }

  /**
   * BIO tags of already tokenised text (words for English, characters for Chinese).
   *
   * @example
   * model.tagTokens(["Tim", "Cook", "visited", "Paris"]); // ["B-PER", "I-PER", "O", "B-LOC"]
   */
  tagTokens(tokens: readonly string[]): string[] {
    const path = this.decode(tokens, this.weights);
    const internal = Array.from(path.subarray(0, tokens.length), (t) => this.tagSet.tags[t]!);
    return this.tagSet.scheme === "bio" ? internal : convertTags(internal, "bioes", "bio");
  }

  /** @internal Viterbi path (tag indices) of `tokens` under `weights`. */
  decode(tokens: readonly string[], weights: TaggerWeights): Int32Array {
    const n = tokens.length;
    const T = this.tagSet.tags.length;
    if (this.emitScratch.length < n * T) this.emitScratch = new Float64Array(n * T * 2);
    if (this.pathScratch.length < n) this.pathScratch = new Int32Array(n * 2);
    const emit = this.emitScratch;
    emit.fill(0, 0, n * T);
    this.features.sentence(tokens, this.hashes, this.offsets);
    const w = weights.emit;
    for (let i = 0; i < n; i++) {
      const base = i * T;
      for (let j = this.offsets[i]!; j < this.offsets[i + 1]!; j++) {
        const row = this.table.row(this.hashes[j]!);
        if (row < 0) continue;
        const r = row * T;
        for (let t = 0; t < T; t++) emit[base + t]! += w[r + t]!;
      }
    }
    if (weights.dense !== undefined) addDenseEmissions(weights.dense, this.vectorsOf(tokens), n, T, emit);
    let bound = this.bounds.get(weights.trans);
    if (bound === undefined) {
      bound = transitionBounds(this.tagSet, weights.trans);
      this.bounds.set(weights.trans, bound);
    }
    viterbi(this.tagSet, n, emit, weights, this.pathScratch, this.scratch, bound);
    return this.pathScratch;
  }

  /**
   * Entities of each text, with UTF-16 offsets into it. Always one answer per input.
   *
   * @example
   * const [r] = model.predict(["Tim Cook visited Paris on Monday."]);
   * r.entities; // [{ text: "Tim Cook", label: "PER", start: 0, end: 8 }, { text: "Paris", label: "LOC", start: 17, end: 22 }, ...]
   */
  predict(texts: readonly string[], options: TagPredictOptions = {}): TaggedText[] {
    const out: TaggedText[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      const spans = tokenizeForTagging(text, this.language);
      const tokens = spans.map((s) => s.token);
      const { tags, chunks } = this.tagWithConfidence(tokens);
      const entities: EntitySpan[] = chunks.map((c) => {
        const start = spans[c.start]!.start;
        const end = spans[c.end - 1]!.end;
        return { text: text.slice(start, end), label: c.type, start, end, score: c.probability };
      });
      out[i] =
        options.tokens === true
          ? {
              entities,
              tokens: spans.map((s, j) => ({ token: s.token, start: s.start, end: s.end, tag: tags[j]! })),
            }
          : { entities };
    }
    return out;
  }

  /**
   * BIO tags of tokens and their entities, each with the probability of exactly that
   * entity (see `EntitySpan.score`).
   */
  tagWithConfidence(tokens: readonly string[]): {
    tags: string[];
    chunks: { start: number; end: number; type: string; probability: number }[];
  } {
    const n = tokens.length;
    if (n === 0) return { tags: [], chunks: [] };
    const path = this.decode(tokens, this.weights);
    const internal = Array.from(path.subarray(0, n), (t) => this.tagSet.tags[t]!);
    const scheme = this.tagSet.scheme;
    const w = this.weights;
    const scale = this.calibration.scale;
    const logZ = forwardBackward(this.tagSet, n, this.emitScratch, w, scale, this.lattice);
    const chunks = tagChunks(internal, scheme).map((c) => ({
      ...c,
      // With BIO tags the segment's tags do not close the entity, so this is an upper bound.
      probability: segmentProbability(
        this.tagSet,
        this.emitScratch,
        w.trans,
        scale,
        this.lattice,
        logZ,
        path,
        c.start,
        c.end,
      ),
    }));
    return { tags: scheme === "bio" ? internal : convertTags(internal, "bioes", "bio"), chunks };
  }

  /** @internal Mean log-likelihood of the true internal tag paths at `scale` (for fitting it). */
  meanLogLikelihood(items: readonly { emit: Float64Array; gold: Int32Array }[], scale: number): number {
    const w = this.weights;
    const T = this.tagSet.tags.length;
    const transMax = scaledTransitions(this.tagSet, w.trans, scale, this.lattice);
    let sum = 0;
    for (const { emit, gold } of items) {
      const n = gold.length;
      const logZ = scaledLogZ(this.tagSet, n, emit, w, scale, transMax, this.lattice);
      sum += scale * pathScore(T, n, emit, w, gold) - logZ;
    }
    return items.length === 0 ? 0 : sum / items.length;
  }

  /** @internal Emission scores of tokens under the model's weights (a copy). */
  emissions(tokens: readonly string[]): Float64Array {
    this.decode(tokens, this.weights);
    return this.emitScratch.slice(0, tokens.length * this.tagSet.tags.length);
  }

  /** The encoder this tagger's word vectors come from (null: sparse features alone). */
  get encoderRef(): TaggerEncoderRef | null {
    return this.resources.encoder ?? null;
  }

  /** Gives a tagger on an encoder that encoder (ENCODER_CHANGED when it is another one). */
  useEncoder(encoder: WordEncoder, where = ""): void {
    const ref = this.encoderRef;
    if (ref !== null) checkTaggerEncoder(ref, encoder, where);
    this.encoder = encoder;
  }

  /** @internal Runs `fn` with these word vectors (by `sentenceKey`) for the sentences it tags. */
  withWordVectors<R>(vectors: ReadonlyMap<string, Float32Array>, fn: () => R): R {
    const before = this.wordVectors;
    this.wordVectors = vectors;
    try {
      return fn();
    } finally {
      this.wordVectors = before;
    }
  }

  private vectorsOf(tokens: readonly string[]): Float32Array {
    const v = this.wordVectors?.get(sentenceKey(tokens));
    if (v === undefined) {
      throw new TextkitError(
        "ENCODER_ASYNC_ONLY",
        `this tagger reads the word vectors of the encoder ${this.encoderRef?.id ?? "?"}: use predictAsync or evaluateAsync`,
      );
    }
    return v;
  }

  /** Runs `fn` with the encoder's vectors of these sentences (directly, for a tagger without one). */
  private async withEncoder<R>(sentences: readonly (readonly string[])[], fn: () => R): Promise<R> {
    const ref = this.encoderRef;
    if (ref === null) return fn();
    if (this.encoder === null) {
      throw new TextkitError(
        "HEAD_ENCODER_REQUIRED",
        `this tagger reads the word vectors of the encoder ${ref.id}: load it with that encoder (loadTagger's encoder option, or --encoder DIR)`,
      );
    }
    const { bySentence } = await sentenceVectors(this.encoder, sentences, ref.wordVector, undefined, ref);
    return this.withWordVectors(bySentence, fn);
  }

  /**
   * `predict` for any tagger; a tagger on an encoder needs this one (its word vectors come
   * from the encoder, which answers asynchronously).
   */
  predictAsync(texts: readonly string[], options: TagPredictOptions = {}): Promise<TaggedText[]> {
    const sentences = texts.map((t) => tokenizeForTagging(String(t), this.language).map((s) => s.token));
    return this.withEncoder(sentences, () => this.predict(texts, options));
  }

  /** `evaluate` for any tagger; a tagger on an encoder needs this one. */
  evaluateAsync(dataset: TaggedDataset): Promise<TaggerEvaluation> {
    return this.withEncoder(
      dataset.sentences.map((s) => s.tokens),
      () => this.evaluate(dataset),
    );
  }

  /** @internal The same model with a fitted calibration. */
  withCalibration(calibration: TaggerCalibration): SequenceTagger {
    const copy = new SequenceTagger(
      this.options,
      this.language,
      this.types,
      this.tagSet,
      this.table,
      this.weights,
      this.resources,
      this.runRecord,
      calibration,
    );
    copy.encoder = this.encoder;
    return copy;
  }

  /** Entity-level (strict) and token-level reports on tagged data. */
  evaluate(dataset: TaggedDataset): TaggerEvaluation {
    if (dataset.sentences.length === 0) {
      throw new TextkitError("EVAL_EMPTY", `${dataset.source} has no sentences to evaluate on`, {
        file: dataset.source,
      });
    }
    const truth = dataset.sentences.map((s) => s.tags);
    const predictions = dataset.sentences.map((s) => this.tagTokens(s.tokens));
    return {
      entities: entityReport(truth, predictions, { scheme: "bio", mode: "strict" }),
      tokens: tokenLevelReport(truth, predictions, { includeO: true }),
      tokensWithoutO: tokenLevelReport(truth, predictions, { includeO: false }),
      sentences: truth.length,
      predictions,
    };
  }

  /** Writes the model directory atomically (see src/store). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    const T = this.tagSet.tags.length;
    const transitions = new Float32Array(T * T + 2 * T);
    transitions.set(this.weights.trans, 0);
    transitions.set(this.weights.start, T * T);
    transitions.set(this.weights.end, T * T + T);
    const files: Record<string, Uint8Array> = {
      "features.u32": new Uint8Array(
        this.table.keys.buffer,
        this.table.keys.byteOffset,
        this.table.keys.byteLength,
      ),
      "emissions.f32": bytesOf(this.weights.emit),
      "transitions.f32": bytesOf(transitions),
    };
    if (this.resources.gazetteer !== null)
      files["gazetteer.tsv"] = Buffer.from(this.resources.gazetteer.toTsv(), "utf8");
    if (this.resources.clusters !== null) {
      let text = "";
      for (const [word, id] of this.resources.clusters) text += `${word}\t${id}\n`;
      files["clusters.tsv"] = Buffer.from(text, "utf8");
    }
    if (this.weights.dense !== undefined && this.resources.encoder) {
      files[TAGGER_DENSE_FILE] = bytesOf(this.weights.dense);
      files[TAGGER_ENCODER_FILE] = Buffer.from(JSON.stringify(this.resources.encoder), "utf8");
    }
    Object.assign(files, runRecordFiles(this.runRecord));
    return {
      manifest: {
        family: TAGGER_FAMILY,
        task: TAGGER_TASK,
        labels: [...this.types],
        options: {
          ...this.options,
          language: this.language,
          tags: [...this.tagSet.tags],
          calibration: { ...this.calibration },
        },
        ...runManifestFields(this.runRecord),
      },
      files,
    };
  }
}
