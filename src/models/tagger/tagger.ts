/**
 * A linear-chain sequence tagger trained as a structured averaged perceptron (Collins
 * 2002): per token, hashed observation features score each tag; tag-to-tag transitions
 * score pairs; Viterbi finds the best valid sequence. Averaging the weights over every
 * step makes it as accurate as a CRF on named entities at a fraction of the training
 * time (see bench/results/tag-*.md, where it runs beside Wapiti's CRF).
 */
import { createHash } from "node:crypto";
import {
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  bytesOf,
  type ManifestInput,
  readArtifact,
  saveModel,
  type TrainedModel,
} from "../../artifact/index.ts";
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import {
  convertTags,
  minimizeGoldenSection,
  newRunId,
  Random,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  TextkitError,
  tagChunks,
} from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import { readTextLines, readVecFile } from "../../data/index.ts";
import {
  type EntityReport,
  entityReport,
  type TokenLevelReport,
  tokenLevelReport,
} from "../../eval/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { tokenizeForTagging } from "../../text/index.ts";
import { EpochLog } from "../../train/index.ts";
import { kMeans } from "../numeric/index.ts";
import {
  buildTagSet,
  forwardBackward,
  forwardLogZ,
  LatticeScratch,
  pathScore,
  segmentProbability,
  type TagSet,
  tagIndex,
  ViterbiScratch,
  viterbi,
} from "./decode.ts";
import { FeatureTable } from "./feature-table.ts";
import { type FeatureResources, TaggerFeatures } from "./features.ts";
import { Gazetteer, type GazetteerEntry } from "./gazetteer.ts";
import { resolveTaggerOptions, type TaggerOptions } from "./options.ts";

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
}

/** What a tagger learns from beside the tagged sentences; part of its training data. */
export interface TaggerResourcesInput {
  /** Known names by type; see readGazetteerEntries. */
  gazetteer?: readonly GazetteerEntry[];
}

/** The weights of a tagger: one row of tag scores per feature, and the transition scores. */
interface TaggerWeights {
  /** rows × T */
  emit: Float32Array;
  /** T × T (previous, current) */
  trans: Float32Array;
  start: Float32Array;
  end: Float32Array;
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

const NO_CALIBRATION: TaggerCalibration = { scale: 1, fittedOn: "none", sentences: 0, meanLogLikelihood: 0 };
/** Sentences the temperature is fitted on, at most: enough for one number, and quick. */
const CALIBRATION_SENTENCES = 600;

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
    viterbi(this.tagSet, n, emit, weights.trans, weights.start, weights.end, this.pathScratch, this.scratch);
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
    const logZ = forwardBackward(
      this.tagSet,
      n,
      this.emitScratch,
      w.trans,
      w.start,
      w.end,
      scale,
      this.lattice,
    );
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
    let sum = 0;
    for (const { emit, gold } of items) {
      const n = gold.length;
      const logZ = forwardLogZ(this.tagSet, n, emit, w.trans, w.start, w.end, scale, this.lattice);
      sum += scale * pathScore(T, n, emit, w.trans, w.start, w.end, gold) - logZ;
    }
    return items.length === 0 ? 0 : sum / items.length;
  }

  /** @internal Emission scores of tokens under the model's weights (a copy). */
  emissions(tokens: readonly string[]): Float64Array {
    this.decode(tokens, this.weights);
    return this.emitScratch.slice(0, tokens.length * this.tagSet.tags.length);
  }

  /** @internal The same model with a fitted calibration. */
  withCalibration(calibration: TaggerCalibration): SequenceTagger {
    return new SequenceTagger(
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

  /** Writes the model directory atomically (see `saveModel`). */
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

/** Sentences as feature rows and gold tag indices, flat. */
interface EncodedSentences {
  /** Feature rows, flat; token g's rows are feats[tokenStart[g] .. tokenStart[g+1]). */
  feats: Int32Array;
  tokenStart: Int32Array;
  /** First token of sentence s (global index); sentenceStart[count] = total tokens. */
  sentenceStart: Int32Array;
  gold: Int32Array;
}

/** SHA-256 over tokens and tags: which data a model was trained on. */
function taggedFingerprint(dataset: TaggedDataset): string {
  const hash = createHash("sha256");
  for (const s of dataset.sentences) {
    hash.update(s.tokens.join("\u0001"));
    hash.update("\u0002");
    hash.update(s.tags.join("\u0001"));
    hash.update("\u0003");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Reads a cluster file: "word<tab>cluster" or Brown's "bits<tab>word<tab>count". */
async function readClusterFile(path: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for await (const { text, line } of readTextLines(path)) {
    const fields = text.split("\t");
    let word: string;
    let id: string;
    if (fields.length === 2) [word, id] = [fields[0]!, fields[1]!];
    else if (fields.length === 3) [id, word] = [fields[0]!, fields[1]!];
    else {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `a cluster line has 2 fields (word, cluster) or 3 (bits, word, count); this one has ${fields.length}`,
        { file: path, line },
      );
    }
    const key = word.toLowerCase();
    if (!map.has(key)) map.set(key, id.trim());
  }
  return map;
}

/** Most words of a .vec file grouped into clusters (cosine k-means). */
const MAX_CLUSTERED_WORDS = 20_000;

async function clustersFromVectors(path: string, k: number, seed: number): Promise<Map<string, string>> {
  const wv = await readVecFile(path, { limit: MAX_CLUSTERED_WORDS });
  const n = wv.words.length;
  const dim = wv.dim;
  if (n < k) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${path} has ${n} words; that is fewer than the ${k} clusters asked for`,
      {
        file: path,
      },
    );
  }
  const unit = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += wv.vectors[i * dim + d]! ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) unit[i * dim + d] = wv.vectors[i * dim + d]! * s;
  }
  const { assignments } = kMeans(unit, n, dim, { k, seed, maxIterations: 15 });
  const map = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const key = wv.words[i]!.toLowerCase();
    if (!map.has(key)) map.set(key, `k${assignments[i]}`);
  }
  return map;
}

/** Adds the emission scores of tokens first..first+n of `encoded` into `emit` (n × T, zeroed here). */
function addEmissions(
  encoded: { feats: Int32Array; tokenStart: Int32Array },
  first: number,
  n: number,
  w: Float32Array,
  T: number,
  emit: Float64Array,
): void {
  emit.fill(0, 0, n * T);
  for (let i = 0; i < n; i++) {
    const base = i * T;
    for (let j = encoded.tokenStart[first + i]!; j < encoded.tokenStart[first + i + 1]!; j++) {
      const r = encoded.feats[j]! * T;
      for (let t = 0; t < T; t++) emit[base + t]! += w[r + t]!;
    }
  }
}

/** Feature rows of held-out sentences under a fixed table (unseen features dropped), computed once. */
function encodeHeldOut(
  dataset: TaggedDataset,
  features: TaggerFeatures,
  table: FeatureTable,
): { feats: Int32Array; tokenStart: Int32Array; sentenceStart: Int32Array } {
  const hashes: number[] = [];
  const offsets: number[] = [];
  const feats: number[] = [];
  const tokenStart: number[] = [];
  const sentenceStart: number[] = [];
  for (const sentence of dataset.sentences) {
    sentenceStart.push(tokenStart.length);
    features.sentence(sentence.tokens, hashes, offsets);
    for (let i = 0; i < sentence.tokens.length; i++) {
      tokenStart.push(feats.length);
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        const row = table.row(hashes[j]!);
        if (row >= 0) feats.push(row);
      }
    }
  }
  sentenceStart.push(tokenStart.length);
  tokenStart.push(feats.length);
  return {
    feats: Int32Array.from(feats),
    tokenStart: Int32Array.from(tokenStart),
    sentenceStart: Int32Array.from(sentenceStart),
  };
}

function emptyWeights(rows: number, T: number): TaggerWeights {
  return {
    emit: new Float32Array(rows * T),
    trans: new Float32Array(T * T),
    start: new Float32Array(T),
    end: new Float32Array(T),
  };
}

/**
 * Trains a tagger on tagged sentences, with early stopping on the dev set's entity F1.
 *
 * @example
 * const train = await loadTaggedDataset("train.conll");
 * const dev = await loadTaggedDataset("dev.conll");
 * const model = await trainTagger({ train, dev }, { epochs: 20 });
 * model.predict(["Tim Cook visited Paris."]);
 */
export async function trainTagger(
  data: TaggerTrainingData,
  partialOptions: Partial<TaggerOptions> = {},
  hooks: TrainHooks = {},
): Promise<SequenceTagger> {
  const options = resolveTaggerOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const { train, dev } = data;
  if (train.sentences.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${train.source} has no sentences`, { file: train.source });
  }
  if (train.types.length === 0) {
    throw new TextkitError(
      "DATA_NO_LABEL",
      `${train.source} has no entities: a tagger needs examples of at least one entity type`,
      { file: train.source },
    );
  }
  const language: TextLanguage = options.language ?? train.language;
  const types = [...train.types];
  const tagSet = buildTagSet(types, options.encoding);
  const T = tagSet.tags.length;
  const lookup = tagIndex(tagSet);

  const resources: FeatureResources = {
    gazetteer:
      data.gazetteer === undefined || data.gazetteer.length === 0
        ? null
        : new Gazetteer(data.gazetteer, language),
    clusters:
      options.clusters !== null
        ? await readClusterFile(options.clusters)
        : options.vectors !== null
          ? await clustersFromVectors(options.vectors, options.vectorClusters, options.seed)
          : null,
  };
  const features = new TaggerFeatures(language, resources);

  // Features of every training token, as hashes; then rows for those seen often enough.
  const sentences = train.sentences;
  const sentenceStart = new Int32Array(sentences.length + 1);
  let tokens = 0;
  for (let s = 0; s < sentences.length; s++) {
    sentenceStart[s] = tokens;
    tokens += sentences[s]!.tokens.length;
  }
  sentenceStart[sentences.length] = tokens;
  const gold = new Int32Array(tokens);
  const rawStart = new Int32Array(tokens + 1);
  const raw: number[] = [];
  const hashes: number[] = [];
  const offsets: number[] = [];
  const counts = new Map<number, number>();
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s]!;
    const internal = options.encoding === "bio" ? sentence.tags : convertTags(sentence.tags, "bio", "bioes");
    features.sentence(sentence.tokens, hashes, offsets);
    const base = sentenceStart[s]!;
    for (let i = 0; i < sentence.tokens.length; i++) {
      const tag = lookup.get(internal[i]!);
      if (tag === undefined) throw new TextkitError("INTERNAL", `tag ${internal[i]} is not in the tag set`);
      gold[base + i] = tag;
      rawStart[base + i] = raw.length;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        const h = hashes[j]!;
        raw.push(h);
        counts.set(h, (counts.get(h) ?? 0) + 1);
      }
    }
  }
  rawStart[tokens] = raw.length;
  const rowOf = new Map<number, number>();
  const keys: number[] = [];
  for (const [h, c] of counts) {
    if (c >= options.minFeatureCount) {
      rowOf.set(h, keys.length);
      keys.push(h);
    }
  }
  counts.clear();
  const feats: number[] = [];
  const tokenStart = new Int32Array(tokens + 1);
  for (let g = 0; g < tokens; g++) {
    tokenStart[g] = feats.length;
    for (let j = rawStart[g]!; j < rawStart[g + 1]!; j++) {
      const row = rowOf.get(raw[j]!);
      if (row !== undefined) feats.push(row);
    }
  }
  tokenStart[tokens] = feats.length;
  raw.length = 0;
  rowOf.clear();
  const encoded: EncodedSentences = { feats: Int32Array.from(feats), tokenStart, sentenceStart, gold };
  feats.length = 0;
  const rows = keys.length;
  const table = new FeatureTable(Uint32Array.from(keys));

  // Averaged perceptron: w is the current weight vector, acc sums c * update, and the
  // average over all steps is w - acc / c (Daumé's trick: no pass over all weights per step).
  const w = emptyWeights(rows, T);
  const acc = {
    emit: new Float64Array(rows * T),
    trans: new Float64Array(T * T),
    start: new Float64Array(T),
    end: new Float64Array(T),
  };
  const averaged = emptyWeights(rows, T);
  let c = 1;
  const average = () => {
    const parts = ["emit", "trans", "start", "end"] as const;
    for (const p of parts) {
      const a = averaged[p];
      const cur = w[p];
      const sum = acc[p];
      for (let i = 0; i < a.length; i++) a[i] = cur[i]! - sum[i]! / c;
    }
  };

  const rng = new Random(options.seed);
  const order = new Int32Array(sentences.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const log = new EpochLog<TaggerWeights>(options, hooks);
  const useDev = dev !== undefined && dev.sentences.length > 0;
  // Dev features are computed once; each epoch only decodes them with the averaged weights.
  const devEncoded = useDev ? encodeHeldOut(dev, features, table) : null;
  const devTruth = useDev ? dev.sentences.map((s) => s.tags) : [];
  const devScore = (): EntityReport => {
    const enc = devEncoded!;
    const predictions: string[][] = [];
    for (let s = 0; s + 1 < enc.sentenceStart.length; s++) {
      const first = enc.sentenceStart[s]!;
      const n = enc.sentenceStart[s + 1]! - first;
      if (emit.length < n * T) emit = new Float64Array(n * T);
      if (devPath.length < n) devPath = new Int32Array(n);
      addEmissions(enc, first, n, averaged.emit, T, emit);
      viterbi(tagSet, n, emit, averaged.trans, averaged.start, averaged.end, devPath, scratch);
      const internal = Array.from(devPath.subarray(0, n), (t) => tagSet.tags[t]!);
      predictions.push(tagSet.scheme === "bio" ? internal : convertTags(internal, "bioes", "bio"));
    }
    return entityReport(devTruth, predictions, { scheme: "bio", mode: "strict" });
  };
  let devPath = new Int32Array(0);
  const total = tokens * options.epochs;
  let tokensDone = 0;
  let lastReport = performance.now();
  let windowErrors = 0;
  let windowTokens = 0;
  let maxLen = 0;
  for (let s = 0; s < sentences.length; s++) maxLen = Math.max(maxLen, sentences[s]!.tokens.length);
  let emit = new Float64Array(maxLen * T);
  const path = new Int32Array(maxLen);
  const scratch = new ViterbiScratch();

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    let epochErrors = 0;
    for (let step = 0; step < order.length; step++) {
      const s = order[step]!;
      const first = sentenceStart[s]!;
      const n = sentenceStart[s + 1]! - first;
      if (emit.length < n * T) emit = new Float64Array(n * T);
      addEmissions(encoded, first, n, w.emit, T, emit);
      viterbi(tagSet, n, emit, w.trans, w.start, w.end, path, scratch);
      let errors = 0;
      for (let i = 0; i < n; i++) if (path[i] !== gold[first + i]) errors++;
      if (errors > 0) {
        for (let i = 0; i < n; i++) {
          const g = gold[first + i]!;
          const p = path[i]!;
          if (g !== p) {
            for (let j = tokenStart[first + i]!; j < tokenStart[first + i + 1]!; j++) {
              const r = encoded.feats[j]! * T;
              w.emit[r + g]! += 1;
              acc.emit[r + g]! += c;
              w.emit[r + p]! -= 1;
              acc.emit[r + p]! -= c;
            }
          }
          if (i === 0) {
            if (g !== p) {
              w.start[g]! += 1;
              acc.start[g]! += c;
              w.start[p]! -= 1;
              acc.start[p]! -= c;
            }
          } else {
            const gp = gold[first + i - 1]!;
            const pp = path[i - 1]!;
            if (gp !== pp || g !== p) {
              w.trans[gp * T + g]! += 1;
              acc.trans[gp * T + g]! += c;
              w.trans[pp * T + p]! -= 1;
              acc.trans[pp * T + p]! -= c;
            }
          }
        }
        const gl = gold[first + n - 1]!;
        const pl = path[n - 1]!;
        if (gl !== pl) {
          w.end[gl]! += 1;
          acc.end[gl]! += c;
          w.end[pl]! -= 1;
          acc.end[pl]! -= c;
        }
      }
      c++;
      epochErrors += errors;
      windowErrors += errors;
      windowTokens += n;
      tokensDone += n;
      if ((step & 63) === 63) {
        const now = performance.now();
        if (now - lastReport > 200) {
          lastReport = now;
          const seconds = (now - t0) / 1000;
          hooks.onProgress?.({
            epoch,
            epochs: options.epochs,
            progress: tokensDone / total,
            loss: windowErrors / Math.max(1, windowTokens),
            learningRate: 1,
            speed: tokensDone / seconds,
            unit: "tokens",
            etaSeconds: (seconds / tokensDone) * (total - tokensDone),
          });
          windowErrors = 0;
          windowTokens = 0;
        }
        if (hooks.shouldStop?.() === true) break;
      }
    }
    average();
    const summary: EpochSummary = {
      epoch,
      trainLoss: epochErrors / tokens,
      seconds: (performance.now() - epochStart) / 1000,
    };
    let devMetric: number | undefined;
    if (useDev) {
      const report = devScore();
      summary.dev = { f1: report.micro.f1, precision: report.micro.precision, recall: report.micro.recall };
      devMetric = report.micro.f1;
    }
    const snapshot = (): TaggerWeights => ({
      emit: averaged.emit.slice(),
      trans: averaged.trans.slice(),
      start: averaged.start.slice(),
      end: averaged.end.slice(),
    });
    if (log.end(summary, devMetric, snapshot)) break;
  }
  log.restoreBest((best) => {
    averaged.emit.set(best.emit);
    averaged.trans.set(best.trans);
    averaged.start.set(best.start);
    averaged.end.set(best.end);
  });
  log.finish(tokensDone / ((performance.now() - t0) / 1000), "tokens");

  const pruned = pruneRows(table, averaged, T);
  const finishedAt = new Date();
  const final: Record<string, unknown> = {
    trainSeconds: (performance.now() - t0) / 1000,
    tokensPerSecond: tokensDone / ((performance.now() - t0) / 1000),
    features: pruned.table.rows,
  };
  const record: RunRecord = {
    runId: newRunId(started, options.seed),
    family: TAGGER_FAMILY,
    task: TAGGER_TASK,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options, language },
    data: {
      train: { source: train.source, examples: sentences.length, fingerprint: taggedFingerprint(train) },
      ...(useDev ? { dev: { source: dev.source, examples: dev.sentences.length } } : {}),
    },
    epochs: log.epochs,
    stoppedEarly: log.stoppedEarly,
    bestEpoch: log.bestEpoch,
    final,
  };
  const uncalibrated = new SequenceTagger(
    options,
    language,
    types,
    tagSet,
    pruned.table,
    pruned.weights,
    resources,
    record,
  );
  const calibration = fitCalibration(uncalibrated, useDev ? dev : train, useDev ? "dev" : "train", lookup);
  final["calibration"] = calibration;
  const result = uncalibrated.withCalibration(calibration);
  if (useDev) {
    const evaluation = result.evaluate(dev);
    final["dev"] = { f1: evaluation.entities.micro.f1, report: evaluation.entities };
  }
  return result;
}

/**
 * Fits the temperature that turns the tagger's scores into probabilities: the scale that
 * maximises the likelihood of the true tag sequences of (at most 600 of) `data`'s sentences,
 * by golden-section search over its logarithm.
 */
function fitCalibration(
  model: SequenceTagger,
  data: TaggedDataset,
  fittedOn: "dev" | "train",
  lookup: Map<string, number>,
): TaggerCalibration {
  const items: { emit: Float64Array; gold: Int32Array }[] = [];
  const step = Math.max(1, Math.floor(data.sentences.length / CALIBRATION_SENTENCES));
  for (let s = 0; s < data.sentences.length && items.length < CALIBRATION_SENTENCES; s += step) {
    const sentence = data.sentences[s]!;
    if (sentence.tokens.length === 0) continue;
    const internal =
      model.tagSet.scheme === "bio" ? sentence.tags : convertTags(sentence.tags, "bio", "bioes");
    const gold = Int32Array.from(internal, (t) => lookup.get(t) ?? -1);
    // A type the model never saw (dev data) cannot be scored; such sentences are left out.
    if (gold.includes(-1)) continue;
    items.push({ emit: model.emissions(sentence.tokens), gold });
  }
  if (items.length === 0) return { ...NO_CALIBRATION };
  const f = (logScale: number) => model.meanLogLikelihood(items, Math.exp(logScale));
  // The likelihood is maximised: its negative minimised, over the scale's logarithm.
  const logScale = minimizeGoldenSection((l) => -f(l), Math.log(1e-4), Math.log(10), 1e-3, 40);
  return { scale: Math.exp(logScale), fittedOn, sentences: items.length, meanLogLikelihood: f(logScale) };
}

/** Drops feature rows whose weights are all zero: they never changed a decision. */
function pruneRows(
  table: FeatureTable,
  weights: TaggerWeights,
  T: number,
): { table: FeatureTable; weights: TaggerWeights } {
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    const base = r * T;
    for (let t = 0; t < T; t++) {
      if (weights.emit[base + t] !== 0) {
        keep.push(r);
        break;
      }
    }
  }
  const keys = new Uint32Array(keep.length);
  const emit = new Float32Array(keep.length * T);
  for (let i = 0; i < keep.length; i++) {
    const r = keep[i]!;
    keys[i] = table.keys[r]!;
    emit.set(weights.emit.subarray(r * T, r * T + T), i * T);
  }
  return { table: new FeatureTable(keys), weights: { ...weights, emit } };
}

/** Loads a model directory written by `save`, verifying its checksums. */
export async function loadTagger(dir: string): Promise<SequenceTagger> {
  const artifact = await readArtifact(dir, TAGGER_FAMILY);
  const m = artifact.manifest;
  const _need = (name: string): Buffer => artifactFile(artifact, name);
  const { language, tags, calibration } = m.options;
  const options = artifactOptions(
    artifact,
    (stored) => resolveTaggerOptions(stored as Partial<TaggerOptions>),
    ["language", "tags", "calibration"],
  );
  const types = m.labels ?? [];
  if (language !== "en" && language !== "zh") {
    throw new TextkitError("ARTIFACT_CORRUPT", `the manifest in ${dir} names no tagging language`, {
      file: dir,
    });
  }
  const tagSet = buildTagSet(types, options.encoding);
  if (!Array.isArray(tags) || tags.join("\n") !== tagSet.tags.join("\n")) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the tags in ${dir} do not match its entity types`, {
      file: dir,
    });
  }
  const T = tagSet.tags.length;
  const keys = new Uint32Array(artifactInts(artifact, "features.u32").buffer);
  const emit = artifactFloats(artifact, "emissions.f32");
  const transitions = artifactFloats(artifact, "transitions.f32");
  if (emit.length !== keys.length * T || transitions.length !== T * T + 2 * T) {
    throw new TextkitError("ARTIFACT_CORRUPT", `model weights in ${dir} do not match its features and tags`, {
      file: dir,
    });
  }
  const gazText = artifact.files["gazetteer.tsv"];
  const clusterText = artifact.files["clusters.tsv"];
  let clusters: Map<string, string> | null = null;
  if (clusterText !== undefined) {
    clusters = new Map();
    for (const line of clusterText.toString("utf8").split("\n")) {
      const tab = line.indexOf("\t");
      if (tab > 0) clusters.set(line.slice(0, tab), line.slice(tab + 1));
    }
  }
  const resources: FeatureResources = {
    gazetteer: gazText === undefined ? null : Gazetteer.fromTsv(gazText.toString("utf8"), language),
    clusters,
  };
  const record = runRecordOf(artifact.files);
  return new SequenceTagger(
    options,
    language,
    types,
    tagSet,
    new FeatureTable(keys),
    {
      emit,
      trans: transitions.slice(0, T * T),
      start: transitions.slice(T * T, T * T + T),
      end: transitions.slice(T * T + T),
    },
    resources,
    record,
    readCalibration(calibration, dir),
  );
}

function readCalibration(value: unknown, dir: string): TaggerCalibration {
  if (value === undefined) return { ...NO_CALIBRATION };
  const c = value as Partial<TaggerCalibration>;
  if (typeof c.scale !== "number" || !(c.scale > 0) || !Number.isFinite(c.scale)) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the calibration in ${dir}'s manifest has no valid scale`, {
      file: dir,
    });
  }
  return {
    scale: c.scale,
    fittedOn: c.fittedOn === "dev" || c.fittedOn === "train" ? c.fittedOn : "none",
    sentences: Number(c.sentences ?? 0),
    meanLogLikelihood: Number(c.meanLogLikelihood ?? 0),
  };
}
