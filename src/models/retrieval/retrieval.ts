/**
 * The retrieval family: items (passages of documents, FAQ questions...) indexed twice, by
 * their terms (BM25) and, given an encoder, by their vectors (cosine), and ranked by
 * either or by both. Every score a search returns is in [0, 1] and means the same from one
 * query to the next, so a caller can set a threshold on it (the assistant hands over below
 * one): BM25 is divided by the score the query would get against itself, cosine is cut at
 * 0, and the hybrid score is a weighted mean of the two.
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
import { runManifestFields, TextkitError } from "../../core/index.ts";
import { Bm25Index, type Bm25Options, DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./bm25.ts";
import {
  checkJudgements,
  judgedRanking,
  type RetrievalEvaluation,
  type RetrievalJudgement,
} from "./judgements.ts";
import { RetrievalTokenizer } from "./terms.ts";
import { TopK } from "./top-k.ts";
import { type EncoderArtifact, encodeTexts, type PassageEncoder, VectorIndex } from "./vector-index.ts";
import { WORD_VECTOR_ENCODER_KIND, WordVectorEncoder } from "./word-vector-encoder.ts";

export const RETRIEVAL_FAMILY = "retrieval";
export const RETRIEVAL_TASK = "retrieval";

export const SEARCH_MODES = ["bm25", "vector", "hybrid"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** What is indexed: a passage, an FAQ question, any text with an id. */
export interface RetrievalItemInput {
  id: string;
  text: string;
  /** Indexed with the text (unless includeTitle is false) and returned with it, e.g. "Cards > Lost card". */
  title?: string | null;
  /** Where the item comes from, e.g. a file name; returned, not indexed. */
  source?: string | null;
  /** Anything JSON the caller wants back with the item (an answer id, offsets...). */
  meta?: Record<string, unknown> | null;
}

/** An item as the index keeps and returns it. */
export interface RetrievalItem {
  id: string;
  text: string;
  title: string | null;
  source: string | null;
  meta: Record<string, unknown> | null;
}

export interface RetrievalOptions extends Bm25Options {
  /** Share of the cosine in the hybrid score, 0..1 (default 0.5): w·cosine + (1 − w)·BM25. */
  vectorWeight: number;
  /** Best items taken from each side before hybrid ranking (default 50). */
  candidates: number;
  /** Index an item's title with its text (default true). */
  includeTitle: boolean;
}

export const DEFAULT_RETRIEVAL_OPTIONS: Readonly<RetrievalOptions> = Object.freeze({
  ...DEFAULT_BM25_OPTIONS,
  vectorWeight: 0.5,
  candidates: 50,
  includeTitle: true,
});

export interface SearchOptions {
  /** Most hits (default 5). */
  k?: number;
  /** Default: hybrid when the index has vectors, else bm25. */
  mode?: SearchMode;
  /** Only items this accepts are ranked (applied before the top k, not after). */
  filter?: (item: RetrievalItem) => boolean;
}

export interface SearchHit {
  id: string;
  /** The ranking score in [0, 1]: bm25, vector, or their weighted mean, by mode. */
  score: number;
  /** BM25 divided by the query's BM25 against itself, clamped to [0, 1]. */
  bm25: number;
  /** Cosine similarity clamped to [0, 1]; null in bm25 mode. */
  vector: number | null;
  item: RetrievalItem;
}

/** How far building has come; `buildRetrievalIndex` reports it to `onProgress`. */
export interface IndexProgress {
  phase: "terms" | "vectors";
  done: number;
  total: number;
  /** Fraction of the phase done, 0..1. */
  progress: number;
  /** Texts per second in this phase. */
  speed: number;
  etaSeconds: number;
}

export interface IndexHooks {
  onProgress?: (progress: IndexProgress) => void;
}

/** The encoder an index's vectors came from. */
export interface EncoderInfo {
  id: string;
  dim: number;
}

export interface LoadRetrievalOptions {
  /** The encoder of an index built with one that cannot be stored; must have its id and dimension. */
  encoder?: PassageEncoder;
  /**
   * Load an index whose encoder is not given anyway: it then searches with BM25 only, and
   * vector or hybrid searches are RETRIEVAL_ENCODER_MISMATCH (the server does this).
   */
  allowMissingEncoder?: boolean;
}

/** Encoders an artifact can hold, by kind. */
const ENCODER_LOADERS: Readonly<
  Record<string, (artifact: EncoderArtifact, where: string) => PassageEncoder>
> = {
  [WORD_VECTOR_ENCODER_KIND]: (artifact, where) => WordVectorEncoder.fromArtifact(artifact, where),
};

const ENCODE_BATCH = 256;
const ENCODER_FILE_PREFIX = "encoder-";

/**
 * Checks retrieval options, refusing a bad value with OPTION_INVALID.
 *
 * @example
 * resolveRetrievalOptions({ vectorWeight: 0.7 }).candidates; // 50
 */
export function resolveRetrievalOptions(partial: Partial<RetrievalOptions> = {}): RetrievalOptions {
  const o = { ...DEFAULT_RETRIEVAL_OPTIONS, ...partial, ...resolveBm25Options(partial) };
  if (!(o.vectorWeight >= 0 && o.vectorWeight <= 1)) {
    throw new TextkitError("OPTION_INVALID", `vectorWeight must be between 0 and 1, got ${o.vectorWeight}`);
  }
  if (!(Number.isInteger(o.candidates) && o.candidates >= 1)) {
    throw new TextkitError("OPTION_INVALID", `candidates must be a whole number >= 1, got ${o.candidates}`);
  }
  if (typeof o.includeTitle !== "boolean") {
    throw new TextkitError(
      "OPTION_INVALID",
      `includeTitle must be true or false, got ${String(o.includeTitle)}`,
    );
  }
  return {
    k1: o.k1,
    b: o.b,
    vectorWeight: o.vectorWeight,
    candidates: o.candidates,
    includeTitle: o.includeTitle,
  };
}

/** The parts a RetrievalIndex is made of. */
interface IndexParts {
  options: RetrievalOptions;
  items: RetrievalItem[];
  bm25: Bm25Index;
  vectors: VectorIndex | null;
  encoder: PassageEncoder | null;
  encoderInfo: EncoderInfo | null;
}

/**
 * Items searchable by BM25, by vectors, or both. Create one with `buildRetrievalIndex` or
 * `loadRetrievalIndex`; it is immutable after that.
 */
export class RetrievalIndex
  implements
    TrainedModel<readonly string[], SearchHit[][], readonly RetrievalJudgement[], RetrievalEvaluation>
{
  readonly options: RetrievalOptions;
  readonly items: readonly RetrievalItem[];
  /** The encoder queries go through; null for an index without vectors (or loaded without its encoder). */
  readonly encoder: PassageEncoder | null;
  readonly encoderInfo: EncoderInfo | null;
  /** @internal */
  readonly bm25: Bm25Index;
  /** @internal */
  readonly vectors: VectorIndex | null;
  private readonly tokenizer = new RetrievalTokenizer();
  private readonly heap = new TopK(16);

  constructor(parts: IndexParts) {
    this.options = parts.options;
    this.items = parts.items;
    this.bm25 = parts.bm25;
    this.vectors = parts.vectors;
    this.encoder = parts.encoder;
    this.encoderInfo = parts.encoderInfo;
  }

  get size(): number {
    return this.items.length;
  }

  /** True when vector and hybrid searches work: vectors and the encoder to compare queries with. */
  get hasVectors(): boolean {
    return this.vectors !== null && this.encoder !== null;
  }

  get defaultMode(): SearchMode {
    return this.hasVectors ? "hybrid" : "bm25";
  }

  /**
   * The best items for a query, best first: at most k, fewer when fewer match (bm25 mode
   * returns only items sharing a term with the query; vector mode only those with a
   * positive cosine).
   *
   * @example
   * const hits = index.search("I lost my card", { k: 3 });
   * if (hits.length === 0 || hits[0].score < 0.35) handOver();
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const mode = this.modeOf(options);
    const vector = mode === "bm25" ? null : encodeTexts(this.encoder!, [query]);
    return this.rank(query, vector, mode, options);
  }

  /**
   * `search` for many queries, encoding them in one batch; one list per query, in order.
   *
   * @example
   * const [first, second] = index.searchMany(["lost card", "reset pin"], { k: 1 });
   */
  searchMany(queries: readonly string[], options: SearchOptions = {}): SearchHit[][] {
    const mode = this.modeOf(options);
    const dim = this.encoder?.dim ?? 0;
    const vectors = mode === "bm25" ? null : encodeTexts(this.encoder!, queries);
    return queries.map((query, i) =>
      this.rank(query, vectors === null ? null : vectors.subarray(i * dim, (i + 1) * dim), mode, options),
    );
  }

  /**
   * The model contract's batch verb: `searchMany`, one list of hits per query.
   *
   * @example
   * const [hits] = index.predict(["lost card"], { k: 3 });
   */
  predict(queries: readonly string[], options: SearchOptions = {}): SearchHit[][] {
    return this.searchMany(queries, options);
  }

  /**
   * Ranking metrics at k (default 10) of the index's searches for judged queries: hit rate,
   * precision, recall, NDCG and MAP, as the recommender reports them.
   *
   * @example
   * index.evaluate([{ query: "lost card", relevant: ["faq-12"] }], { k: 5 }).ranking.ndcg;
   */
  evaluate(
    judged: readonly RetrievalJudgement[],
    options: Omit<SearchOptions, "k"> & { k?: number } = {},
  ): RetrievalEvaluation {
    const k = checkJudgements(judged, options.k);
    const hits = this.searchMany(
      judged.map((j) => j.query),
      { ...options, k },
    );
    const known = new Set(this.items.map((item) => item.id));
    return judgedRanking(
      judged,
      hits.map((list) => list.map((hit) => hit.id)),
      k,
      known,
    );
  }

  private modeOf(options: SearchOptions): SearchMode {
    const mode = options.mode ?? this.defaultMode;
    if (!SEARCH_MODES.includes(mode)) {
      throw new TextkitError(
        "INPUT_INVALID",
        `mode must be one of ${SEARCH_MODES.join(", ")}, got '${String(mode)}'`,
        {
          details: { field: "/mode" },
        },
      );
    }
    const k = options.k ?? 5;
    if (!(Number.isSafeInteger(k) && k >= 0)) {
      throw new TextkitError("INPUT_INVALID", `k must be a whole number >= 0, got ${k}`, {
        details: { field: "/k" },
      });
    }
    if (mode !== "bm25" && !this.hasVectors) {
      if (this.vectors === null) {
        throw new TextkitError(
          "RETRIEVAL_NO_VECTORS",
          `this index has no vectors (it was built without an encoder); search it with mode bm25, not ${mode}`,
          { details: { field: "/mode" } },
        );
      }
      throw new TextkitError(
        "RETRIEVAL_ENCODER_MISMATCH",
        `this index was built with encoder '${this.encoderInfo?.id}', which was not given when it was loaded; search it with mode bm25, not ${mode}`,
        { details: { field: "/mode" } },
      );
    }
    return mode;
  }

  private rank(
    query: string,
    vector: Float32Array | null,
    mode: SearchMode,
    options: SearchOptions,
  ): SearchHit[] {
    const k = options.k ?? 5;
    if (k === 0) return [];
    const { filter } = options;
    const items = this.items;
    const accept = filter === undefined ? undefined : (doc: number) => filter(items[doc]!);
    const terms = this.tokenizer.terms(query);
    const self = this.bm25.selfScore(terms);
    const normal = (score: number) => (self > 0 ? Math.min(1, score / self) : 0);
    const hit = (doc: number, score: number, bm25: number, cosine: number | null): SearchHit => ({
      id: items[doc]!.id,
      score,
      bm25,
      vector: cosine,
      item: items[doc]!,
    });
    if (mode === "bm25" || vector === null || this.vectors === null) {
      return this.bm25.search(terms, k, accept).map(({ doc, score }) => {
        const b = normal(score);
        return hit(doc, b, b, null);
      });
    }
    const vectors = this.vectors;
    return this.bm25.withScores(terms, (lexical) =>
      vectors.withSimilarities(vector, (dense) => {
        const positive =
          accept === undefined
            ? (doc: number) => dense.scoreOf(doc) > 0
            : (doc: number) => dense.scoreOf(doc) > 0 && accept(doc);
        if (mode === "vector") {
          return dense.top(k, positive).map(({ doc, score }) => {
            const v = Math.min(1, score);
            return hit(doc, v, normal(lexical.scoreOf(doc)), v);
          });
        }
        // Hybrid: both sides' best, each re-scored on the other side, ranked by the mean.
        const c = this.options.candidates;
        const w = this.options.vectorWeight;
        const pool = new Set<number>();
        for (const { doc } of lexical.top(c, accept)) pool.add(doc);
        for (const { doc } of dense.top(c, positive)) pool.add(doc);
        const heap = this.heap;
        heap.reset(k);
        for (const doc of pool) {
          const s = w * clamp01(dense.scoreOf(doc)) + (1 - w) * normal(lexical.scoreOf(doc));
          if (s > 0) heap.offer(doc, s);
        }
        return heap
          .drain()
          .map(({ doc, score }) =>
            hit(doc, score, normal(lexical.scoreOf(doc)), clamp01(dense.scoreOf(doc))),
          );
      }),
    );
  }

  /** Writes the index directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes: the manifest and the files (also a part of a larger artifact). */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    const { terms, offsets, docs, tfs, docLengths } = this.bm25.parts;
    const itemsJson = Buffer.from(JSON.stringify(this.items), "utf8");
    const files: Record<string, Uint8Array> = {
      "items.json": itemsJson,
      "terms.txt": Buffer.from(terms.join("\n"), "utf8"),
      "postings-offsets.i32": bytesOf(offsets),
      "postings-docs.i32": bytesOf(docs),
      "postings-tf.i32": bytesOf(tfs),
      "doc-lengths.i32": bytesOf(docLengths),
    };
    let encoder: Record<string, unknown> | null = null;
    if (this.vectors !== null && this.encoderInfo !== null) {
      files["vectors.f32"] = bytesOf(this.vectors.rows);
      const stored = this.encoder?.toArtifact?.() ?? null;
      encoder = { ...this.encoderInfo, kind: stored?.kind ?? null, options: stored?.options ?? null };
      if (stored !== null) {
        for (const [name, data] of Object.entries(stored.files))
          files[`${ENCODER_FILE_PREFIX}${name}`] = data;
      }
    }
    const fields = runManifestFields(null);
    return {
      manifest: {
        family: RETRIEVAL_FAMILY,
        task: RETRIEVAL_TASK,
        options: { ...this.options, encoder },
        data: {
          fingerprint: createHash("sha256").update(itemsJson).digest("hex"),
          examples: this.items.length,
        },
        metrics: { items: this.items.length, terms: terms.length, postings: docs.length },
        ...fields,
      },
      files,
    };
  }
}

function clamp01(x: number): number {
  return x <= 0 ? 0 : Math.min(x, 1);
}

/** The text BM25 and the encoder see of an item. */
function indexedText(item: RetrievalItem, includeTitle: boolean): string {
  return includeTitle && item.title !== null && item.title.length > 0
    ? `${item.title}\n${item.text}`
    : item.text;
}

function optionalString(value: unknown, field: string, index: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    throw new TextkitError(
      "INPUT_INVALID",
      `item ${index + 1}: ${field} must be a string, got ${typeof value}`,
      {
        details: { field: `/${index}/${field}` },
      },
    );
  }
  return value;
}

/** Items checked and copied into their stored shape. */
function checkItems(items: readonly RetrievalItemInput[]): RetrievalItem[] {
  if (!Array.isArray(items) || items.length === 0) {
    throw new TextkitError("DATA_EMPTY", "there is nothing to index: give at least one item");
  }
  const seen = new Map<string, number>();
  return items.map((item, i) => {
    const { id, text } = item;
    if (typeof id !== "string" || id.length === 0) {
      throw new TextkitError(
        "INPUT_INVALID",
        `item ${i + 1} has no id: every item needs a non-empty string id`,
        {
          details: { field: `/${i}/id` },
        },
      );
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new TextkitError(
        "DATA_DUPLICATE_ID",
        `items ${first + 1} and ${i + 1} both have the id '${id}'`,
        {
          details: { id, index: i },
        },
      );
    }
    seen.set(id, i);
    const title = optionalString(item.title, "title", i);
    if (
      typeof text !== "string" ||
      (text.trim().length === 0 && (title === null || title.trim().length === 0))
    ) {
      throw new TextkitError("DATA_EMPTY_TEXT", `item '${id}' has no text`, { details: { id, index: i } });
    }
    const meta = item.meta ?? null;
    if (meta !== null && (typeof meta !== "object" || Array.isArray(meta))) {
      throw new TextkitError("INPUT_INVALID", `item '${id}': meta must be an object`, {
        details: { field: `/${i}/meta` },
      });
    }
    return { id, text, title, source: optionalString(item.source, "source", i), meta };
  });
}

/** Reports one phase's progress about every 200 ms. */
function progressReporter(phase: IndexProgress["phase"], total: number, hooks: IndexHooks) {
  const t0 = performance.now();
  let last = t0;
  return (done: number, force = false): void => {
    if (hooks.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - last < 200) return;
    last = now;
    const seconds = Math.max((now - t0) / 1000, 1e-9);
    const speed = done / seconds;
    hooks.onProgress({
      phase,
      done,
      total,
      progress: total === 0 ? 1 : done / total,
      speed,
      etaSeconds: speed > 0 ? (total - done) / speed : 0,
    });
  };
}

/**
 * Indexes items for search: their terms always, their vectors when an encoder is given
 * (an encoder that can `fit` is first fitted on the items' texts). Throws DATA_EMPTY for
 * no items, DATA_DUPLICATE_ID naming a repeated id, DATA_EMPTY_TEXT for an item without
 * text. The same items, options and encoder give the same index, byte for byte.
 *
 * @example
 * const passages = splitDocument(markdown, { format: "markdown", source: "help.md" });
 * const encoder = await WordVectorEncoder.fromVecFile("vectors/en.vec");
 * const index = await buildRetrievalIndex(passages, {}, encoder);
 * index.search("how do I block my card", { k: 3 });
 */
export async function buildRetrievalIndex(
  items: readonly RetrievalItemInput[],
  partialOptions: Partial<RetrievalOptions> = {},
  encoder?: PassageEncoder,
  hooks: IndexHooks = {},
): Promise<RetrievalIndex> {
  const options = resolveRetrievalOptions(partialOptions);
  const stored = checkItems(items);
  const texts = stored.map((item) => indexedText(item, options.includeTitle));
  const tokenizer = new RetrievalTokenizer();
  const n = texts.length;
  const reportTerms = progressReporter("terms", n, hooks);
  const termLists: string[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    termLists[i] = tokenizer.terms(texts[i]!);
    if ((i & 255) === 255) reportTerms(i + 1);
  }
  reportTerms(n, true);
  const bm25 = Bm25Index.build(termLists, options);

  let vectors: VectorIndex | null = null;
  let used: PassageEncoder | null = null;
  if (encoder !== undefined) {
    used = encoder.fit === undefined ? encoder : encoder.fit(texts);
    const dim = used.dim;
    if (!(Number.isInteger(dim) && dim >= 1)) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `encoder '${used.id}' has dimension ${dim}; it must be a whole number >= 1`,
      );
    }
    const rows = new Float32Array(n * dim);
    const reportVectors = progressReporter("vectors", n, hooks);
    for (let start = 0; start < n; start += ENCODE_BATCH) {
      const batch = texts.slice(start, start + ENCODE_BATCH);
      rows.set(encodeTexts(used, batch), start * dim);
      reportVectors(start + batch.length);
    }
    reportVectors(n, true);
    vectors = VectorIndex.fromRows(rows, dim);
  }
  return new RetrievalIndex({
    options,
    items: stored,
    bm25,
    vectors,
    encoder: used,
    encoderInfo: used === null ? null : { id: used.id, dim: used.dim },
  });
}

/** The stored items, checked. */
function itemsOf(data: Buffer, where: string): RetrievalItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} is not valid JSON`, {
      file: where,
      cause,
    });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} holds no items`, { file: where });
  }
  try {
    return checkItems(parsed as RetrievalItemInput[]);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new TextkitError("ARTIFACT_CORRUPT", `items.json in ${where} is damaged: ${why}`, {
      file: where,
      cause,
    });
  }
}

/** The encoder as the manifest describes it: id, dimension, and the kind and options of a stored one. */
function encoderInfoOf(
  value: unknown,
  where: string,
): (EncoderInfo & { kind: string | null; options: Record<string, unknown> | null }) | null {
  if (value === null || value === undefined) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v["id"] !== "string" ||
    typeof v["dim"] !== "number" ||
    !(v["kind"] === null || typeof v["kind"] === "string")
  ) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the encoder in ${where}/manifest.json is not described properly`,
      {
        file: where,
      },
    );
  }
  const options = v["options"];
  return {
    id: v["id"],
    dim: v["dim"],
    kind: v["kind"] as string | null,
    options: options !== null && typeof options === "object" ? (options as Record<string, unknown>) : null,
  };
}

/**
 * Loads an index directory written by `save`, verifying its checksums; a truncated or
 * changed file is ARTIFACT_CORRUPT. An index built with `WordVectorEncoder` brings its
 * encoder along, fitted as it was; one built with another encoder needs it again
 * (`options.encoder`, as it was after `fit`, of the same id and dimension:
 * RETRIEVAL_ENCODER_MISMATCH otherwise).
 *
 * @example
 * const index = await loadRetrievalIndex("models/help");
 * index.search("reset my password");
 */
export async function loadRetrievalIndex(
  dir: string,
  options: LoadRetrievalOptions = {},
): Promise<RetrievalIndex> {
  const artifact = await readArtifact(dir, RETRIEVAL_FAMILY);
  const need = (name: string): Buffer => artifactFile(artifact, name);
  const rawEncoder = artifact.manifest.options["encoder"];
  const resolved = artifactOptions(
    artifact,
    (stored) => resolveRetrievalOptions(stored as Partial<RetrievalOptions>),
    ["encoder"],
  );
  const items = itemsOf(need("items.json"), dir);
  const termsText = need("terms.txt").toString("utf8");
  const bm25 = Bm25Index.fromParts(
    {
      terms: termsText.length === 0 ? [] : termsText.split("\n"),
      offsets: artifactInts(artifact, "postings-offsets.i32"),
      docs: artifactInts(artifact, "postings-docs.i32"),
      tfs: artifactInts(artifact, "postings-tf.i32"),
      docLengths: artifactInts(artifact, "doc-lengths.i32"),
    },
    resolved,
    dir,
  );
  if (bm25.documents !== items.length) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} indexes ${bm25.documents} documents but holds ${items.length} items`,
      {
        file: dir,
      },
    );
  }
  const info = encoderInfoOf(rawEncoder, dir);
  let vectors: VectorIndex | null = null;
  let encoder: PassageEncoder | null = null;
  if (info !== null) {
    vectors = VectorIndex.fromUnitRows(artifactFloats(artifact, "vectors.f32"), info.dim, items.length, dir);
    const loader = info.kind === null ? undefined : ENCODER_LOADERS[info.kind];
    const given = options.encoder;
    if (given !== undefined && (given.id !== info.id || given.dim !== info.dim)) {
      throw new TextkitError(
        "RETRIEVAL_ENCODER_MISMATCH",
        `${dir} was built with encoder '${info.id}' (dimension ${info.dim}), not '${given.id}' (dimension ${given.dim})`,
        { file: dir },
      );
    }
    if (loader !== undefined) {
      // The stored encoder, even when one of the same id is given: it holds what fitting
      // learnt (word counts, component), which a freshly read .vec file lacks.
      const files: Record<string, Uint8Array> = {};
      for (const [name, data] of Object.entries(artifact.files)) {
        if (name.startsWith(ENCODER_FILE_PREFIX)) files[name.slice(ENCODER_FILE_PREFIX.length)] = data;
      }
      encoder = loader({ kind: info.kind!, options: info.options ?? {}, files }, dir);
      if (encoder.dim !== info.dim || encoder.id !== info.id) {
        throw new TextkitError(
          "ARTIFACT_CORRUPT",
          `the encoder stored in ${dir} is not '${info.id}' of dimension ${info.dim}`,
          { file: dir },
        );
      }
    } else if (given !== undefined) {
      encoder = given;
    } else if (options.allowMissingEncoder !== true) {
      throw new TextkitError(
        "RETRIEVAL_ENCODER_MISMATCH",
        `${dir} was built with encoder '${info.id}' (dimension ${info.dim}), which it cannot store: pass that encoder to load it`,
        { file: dir },
      );
    }
  }
  return new RetrievalIndex({
    options: resolved,
    items,
    bm25,
    vectors,
    encoder,
    encoderInfo: info === null ? null : { id: info.id, dim: info.dim },
  });
}

/**
 * A hit as the command line and the server show it: the item's fields beside the scores.
 *
 * @example
 * index.search("lost card").map(searchHitJson);
 */
export function searchHitJson(hit: SearchHit): Record<string, unknown> {
  const { id, score, bm25, vector, item } = hit;
  return {
    id,
    score,
    bm25,
    vector,
    title: item.title,
    text: item.text,
    source: item.source,
    meta: item.meta,
  };
}
