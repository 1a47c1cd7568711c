/**
 * The retrieval family: items (passages of documents, FAQ questions...) indexed twice, by
 * their terms (BM25) and, given an encoder, by their vectors (cosine), and ranked by
 * either or by both. Every score a search returns is in [0, 1] and means the same from one
 * query to the next, so a caller can set a threshold on it (the assistant hands over below
 * one): BM25 is divided by the score the query would get against itself, cosine is cut at
 * 0, and the hybrid score is a weighted mean of the two.
 */
import { createHash } from "node:crypto";
import { bytesOf, type ManifestInput, saveModel, type TrainedModel } from "../../artifact/index.ts";
import { runManifestFields, TextkitError } from "../../core/index.ts";
import type { Bm25Index } from "./bm25.ts";
import {
  checkJudgements,
  judgedRanking,
  type RetrievalEvaluation,
  type RetrievalJudgement,
} from "./judgements.ts";
import {
  type EncoderInfo,
  RETRIEVAL_FAMILY,
  RETRIEVAL_TASK,
  type RetrievalItem,
  type RetrievalOptions,
  SEARCH_MODES,
  type SearchHit,
  type SearchMode,
  type SearchOptions,
} from "./retrieval-options.ts";
import { RetrievalTokenizer } from "./terms.ts";
import { TopK } from "./top-k.ts";
import {
  type AnyPassageEncoder,
  encodeTexts,
  encodeTextsAsync,
  isAsyncEncoder,
  type PassageEncoder,
  type VectorIndex,
} from "./vector-index.ts";

/** Files of a stored encoder are kept in the artifact under this prefix. */
export const ENCODER_FILE_PREFIX = "encoder-";
/** The manifest's encoder kind of a pretrained encoder, named by its checksum and never stored. */
export const PRETRAINED_ENCODER_KIND = "pretrained";

/** The parts a RetrievalIndex is made of. */
export interface IndexParts {
  options: RetrievalOptions;
  items: RetrievalItem[];
  bm25: Bm25Index;
  vectors: VectorIndex | null;
  encoder: AnyPassageEncoder | null;
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
  readonly encoder: AnyPassageEncoder | null;
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
    const vector = mode === "bm25" ? null : encodeTexts(this.syncEncoder(), [query]);
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
    const vectors = mode === "bm25" ? null : encodeTexts(this.syncEncoder(), queries);
    return this.rankMany(queries, vectors, mode, options);
  }

  /**
   * `search` through any encoder, a pretrained one (which answers asynchronously) included.
   *
   * @example
   * const hits = await index.searchAsync("I lost my card", { k: 3 });
   */
  async searchAsync(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const [hits] = await this.searchManyAsync([query], options);
    return hits ?? [];
  }

  /**
   * `searchMany` through any encoder: the queries are encoded in one call (a pretrained
   * encoder batches them with other callers' through its batcher, in the server).
   *
   * @example
   * const [first, second] = await index.searchManyAsync(["lost card", "reset pin"]);
   */
  async searchManyAsync(queries: readonly string[], options: SearchOptions = {}): Promise<SearchHit[][]> {
    const mode = this.modeOf(options);
    const encoder = this.encoder;
    const vectors =
      mode === "bm25" || encoder === null || queries.length === 0
        ? null
        : await encodeTextsAsync(encoder, queries);
    return this.rankMany(queries, vectors, mode, options);
  }

  /** True when vector search needs `searchAsync` (the encoder is a pretrained one). */
  get needsAsync(): boolean {
    return this.encoder !== null && isAsyncEncoder(this.encoder);
  }

  private syncEncoder(): PassageEncoder {
    const encoder = this.encoder;
    if (encoder === null) {
      throw new TextkitError("RETRIEVAL_NO_VECTORS", "this index has no encoder; search it with mode bm25");
    }
    if (isAsyncEncoder(encoder)) {
      throw new TextkitError(
        "ENCODER_ASYNC_ONLY",
        `this index's vectors come from '${encoder.id}', which answers asynchronously: call searchAsync or searchManyAsync`,
        { details: { field: "/mode" } },
      );
    }
    return encoder;
  }

  private rankMany(
    queries: readonly string[],
    vectors: Float32Array | null,
    mode: SearchMode,
    options: SearchOptions,
  ): SearchHit[][] {
    const dim = this.encoder?.dim ?? 0;
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
    return this.ranking(judged, hits, k);
  }

  /**
   * `evaluate` through any encoder, a pretrained one included.
   *
   * @example
   * (await index.evaluateAsync([{ query: "lost card", relevant: ["faq-12"] }])).ranking.ndcg;
   */
  async evaluateAsync(
    judged: readonly RetrievalJudgement[],
    options: Omit<SearchOptions, "k"> & { k?: number } = {},
  ): Promise<RetrievalEvaluation> {
    const k = checkJudgements(judged, options.k);
    const hits = await this.searchManyAsync(
      judged.map((j) => j.query),
      { ...options, k },
    );
    return this.ranking(judged, hits, k);
  }

  /** The judged queries' ranking metrics from their hits (ids this index does not hold count as unknown). */
  private ranking(
    judged: readonly RetrievalJudgement[],
    hits: readonly (readonly { id: string }[])[],
    k: number,
  ): RetrievalEvaluation {
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
      const given = this.encoder;
      if (given !== null && isAsyncEncoder(given)) {
        encoder = {
          ...this.encoderInfo,
          kind: PRETRAINED_ENCODER_KIND,
          options: { checksum: given.checksum, path: given.path },
        };
      } else {
        const stored = given?.toArtifact?.() ?? null;
        encoder = { ...this.encoderInfo, kind: stored?.kind ?? null, options: stored?.options ?? null };
        if (stored !== null) {
          for (const [name, data] of Object.entries(stored.files))
            files[`${ENCODER_FILE_PREFIX}${name}`] = data;
        }
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
