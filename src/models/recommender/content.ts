/**
 * Content-based recommendation: each item's text (title, description, tags, category)
 * becomes a unit vector, either hashed TF-IDF of words, word pairs, tags and the category,
 * or an IDF-weighted mean of word vectors; a user's profile is the weighted sum of the
 * vectors of the items they engaged with, and an item scores its cosine with the profile.
 * An item nobody has touched yet is scored like any other: this is how new items get
 * recommended.
 */

import { bytesOf, float32FromBuffer, int32FromBuffer } from "../../artifact/index.ts";
import { type SentenceEncoder, TextkitError } from "../../core/index.ts";
import type { CatalogItem, ItemCatalog } from "../../data/index.ts";
import { readVecFile } from "../../data/index.ts";
import { combineHash, fnv1a, normalizeText, Tokenizer } from "../../text/index.ts";
import { type ContentEncoder, EncoderSpace, type RecommenderEncoderRef } from "./content-encoder.ts";
import type { EngineParts, Explanation, History, ScoringEngine } from "./engine.ts";
import { topK } from "./matrix.ts";
import type { TextSpace, TextSpaceKind } from "./text-space.ts";

/** Words read from a .vec file at most; fastText files list the frequent ones first. */
const MAX_VECTOR_WORDS = 500_000;
const WORD = /[\p{L}\p{N}]/u;

/** The words of an item's text, and its tags and category as whole units. */
interface ItemTerms {
  /** Title words count twice: a title says more per word than a description. */
  words: string[];
  tags: string[];
  category: string;
}

function termsOf(item: CatalogItem, tokenizer: Tokenizer): ItemTerms {
  const words: string[] = [];
  const add = (text: string, times: number) => {
    if (text.length === 0) return;
    for (const token of tokenizer.tokenize(normalizeText(text))) {
      if (!WORD.test(token)) continue;
      for (let t = 0; t < times; t++) words.push(token);
    }
  };
  add(item.title, 2);
  add(item.description, 1);
  const tags = item.tags.map((t) => normalizeText(t.trim())).filter((t) => t.length > 0);
  return { words, tags, category: normalizeText(item.category.trim()) };
}

/** Every word of the terms, tags and category split into words: what word vectors can look up. */
function allWords(terms: ItemTerms, tokenizer: Tokenizer): string[] {
  const out = [...terms.words];
  for (const unit of [...terms.tags, terms.category]) {
    for (const token of tokenizer.tokenize(unit)) if (WORD.test(token)) out.push(token);
  }
  return out;
}

/** Hashed TF-IDF: sublinear term frequency times smoothed IDF, in `buckets` dimensions. */
class HashedTfIdf implements TextSpace {
  readonly kind = "tfidf";
  readonly dims: number;
  private readonly idf: Float32Array;
  /** Document frequency per bucket and number of documents, kept to save. */
  private readonly df: Map<number, number>;
  private readonly documents: number;
  private readonly counts = new Map<number, number>();
  private readonly tokenizer = new Tokenizer();

  constructor(buckets: number, df: Map<number, number>, documents: number) {
    this.dims = buckets;
    this.df = df;
    this.documents = documents;
    this.idf = new Float32Array(buckets).fill(Math.log((1 + documents) / 1) + 1);
    for (const [bucket, n] of df) this.idf[bucket] = Math.log((1 + documents) / (1 + n)) + 1;
  }

  static fit(items: readonly CatalogItem[], buckets: number): HashedTfIdf {
    const df = new Map<number, number>();
    const seen = new Set<number>();
    const tokenizer = new Tokenizer();
    for (const item of items) {
      seen.clear();
      forEachBucket(termsOf(item, tokenizer), buckets, (b) => seen.add(b));
      for (const b of seen) df.set(b, (df.get(b) ?? 0) + 1);
    }
    return new HashedTfIdf(buckets, df, items.length);
  }

  encode(item: CatalogItem, dims: number[], values: number[]): void {
    const counts = this.counts;
    counts.clear();
    forEachBucket(termsOf(item, this.tokenizer), this.dims, (b) => counts.set(b, (counts.get(b) ?? 0) + 1));
    const sorted = [...counts.keys()].sort((a, b) => a - b);
    for (const b of sorted) {
      dims.push(b);
      values.push((1 + Math.log(counts.get(b)!)) * this.idf[b]!);
    }
  }

  parts(): EngineParts {
    const entries = [...this.df.entries()].sort((a, b) => a[0] - b[0]);
    const pairs = new Int32Array(entries.length * 2);
    entries.forEach(([bucket, n], i) => {
      pairs[2 * i] = bucket;
      pairs[2 * i + 1] = n;
    });
    return { files: { "df.i32": bytesOf(pairs) }, state: { space: "tfidf", documents: this.documents } };
  }
}

function forEachBucket(terms: ItemTerms, buckets: number, visit: (bucket: number) => void): void {
  const { words, tags, category } = terms;
  let previous = -1;
  for (const word of words) {
    const h = fnv1a(word);
    visit(h % buckets);
    if (previous >= 0) visit(combineHash(previous, h) % buckets);
    previous = h;
  }
  // Tags are whole units: "science fiction" the tag is not "science" plus "fiction".
  for (const tag of tags) visit(fnv1a(`\u0001${tag}`) % buckets);
  if (category.length > 0) visit(fnv1a(`\u0002${category}`) % buckets);
}

/** Word vectors: an item is the IDF-weighted mean of the vectors of its words and tags. */
class VectorSpace implements TextSpace {
  readonly kind = "vectors";
  readonly dims: number;
  private readonly index: Map<string, number>;
  private readonly words: readonly string[];
  private readonly vectors: Float32Array;
  private readonly idf: Float32Array;
  private readonly sum: Float64Array;
  private readonly tokenizer = new Tokenizer();

  constructor(words: readonly string[], vectors: Float32Array, idf: Float32Array, dims: number) {
    this.words = words;
    this.vectors = vectors;
    this.idf = idf;
    this.dims = dims;
    this.index = new Map(words.map((w, i) => [w, i]));
    this.sum = new Float64Array(dims);
  }

  /** Keeps only the words of the catalogue, so the model carries thousands of vectors, not millions. */
  static async fit(items: readonly CatalogItem[], path: string): Promise<VectorSpace> {
    const wv = await readVecFile(path, { limit: MAX_VECTOR_WORDS });
    const lookup = new Map<string, number>();
    for (let i = 0; i < wv.words.length; i++) {
      const key = normalizeText(wv.words[i]!);
      if (!lookup.has(key)) lookup.set(key, i);
    }
    const df = new Map<string, number>();
    const tokenizer = new Tokenizer();
    for (const item of items) {
      for (const word of new Set(allWords(termsOf(item, tokenizer), tokenizer))) {
        if (lookup.has(word)) df.set(word, (df.get(word) ?? 0) + 1);
      }
    }
    if (df.size === 0) {
      throw new TextkitError(
        "DATA_TOO_FEW_WORDS",
        `none of the words of the items is in ${path}; use vectors of the items' language, or TF-IDF (no vectors)`,
        { file: path },
      );
    }
    const words = [...df.keys()].sort();
    const vectors = new Float32Array(words.length * wv.dim);
    const idf = new Float32Array(words.length);
    words.forEach((word, i) => {
      const row = lookup.get(word)!;
      vectors.set(wv.vectors.subarray(row * wv.dim, row * wv.dim + wv.dim), i * wv.dim);
      idf[i] = Math.log((1 + items.length) / (1 + df.get(word)!)) + 1;
    });
    return new VectorSpace(words, vectors, idf, wv.dim);
  }

  encode(item: CatalogItem, dims: number[], values: number[]): void {
    const sum = this.sum.fill(0);
    let total = 0;
    for (const word of allWords(termsOf(item, this.tokenizer), this.tokenizer)) {
      const row = this.index.get(word);
      if (row === undefined) continue;
      const w = this.idf[row]!;
      total += w;
      const o = row * this.dims;
      for (let d = 0; d < this.dims; d++) sum[d]! += w * this.vectors[o + d]!;
    }
    if (total === 0) return;
    for (let d = 0; d < this.dims; d++) {
      dims.push(d);
      values.push(sum[d]! / total);
    }
  }

  parts(): EngineParts {
    return {
      files: {
        "words.json": Buffer.from(JSON.stringify(this.words)),
        "vectors.f32": bytesOf(this.vectors),
        "idf.f32": bytesOf(this.idf),
      },
      state: { space: "vectors", dims: this.dims },
    };
  }
}

export class ContentEngine implements ScoringEngine {
  readonly name = "content";
  readonly sparseScores = true;
  private readonly space: TextSpace;
  private readonly catalog: ItemCatalog;
  /** items × dims, unit rows (an item without known words has an empty row). */
  private indptr: Int32Array;
  private indices: Int32Array;
  private data: Float32Array;
  private readonly profile: Float32Array;
  private readonly dense: Float32Array;
  private readonly touched: number[] = [];
  private readonly mark: Uint8Array;

  constructor(
    space: TextSpace,
    catalog: ItemCatalog,
    indptr: Int32Array,
    indices: Int32Array,
    data: Float32Array,
  ) {
    this.space = space;
    this.catalog = catalog;
    this.indptr = indptr;
    this.indices = indices;
    this.data = data;
    this.profile = new Float32Array(space.dims);
    this.dense = new Float32Array(space.dims);
    this.mark = new Uint8Array(space.dims);
  }

  get items(): number {
    return this.indptr.length - 1;
  }

  get spaceKind(): TextSpaceKind {
    return this.space.kind;
  }

  /** The encoder the item vectors came from, or null for TF-IDF and word vectors. */
  get encoderRef(): RecommenderEncoderRef | null {
    return this.space instanceof EncoderSpace ? this.space.ref : null;
  }

  /** Computes what `growItems` needs of items about to be added (an encoder's embeddings). */
  async prepareItems(items: readonly CatalogItem[]): Promise<void> {
    await this.space.prepare?.(items);
  }

  /** Cosine of every item with the user's profile (0 for users without history). */
  score(_user: number, history: History, _allowed: Uint8Array, out: Float32Array): void {
    out.fill(0);
    const profile = this.profile;
    const mark = this.mark;
    const touched = this.touched;
    touched.length = 0;
    const { indptr, indices, data } = this;
    const items = this.items;
    for (let p = 0; p < history.indices.length; p++) {
      const i = history.indices[p]!;
      if (i >= items) continue;
      const w = history.data[p]!;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) {
        const d = indices[k]!;
        if (mark[d] === 0) {
          mark[d] = 1;
          touched.push(d);
        }
        profile[d]! += w * data[k]!;
      }
    }
    let norm = 0;
    for (const d of touched) norm += profile[d]! * profile[d]!;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let j = 0; j < items; j++) {
        let s = 0;
        for (let k = indptr[j]!; k < indptr[j + 1]!; k++) s += profile[indices[k]!]! * data[k]!;
        out[j] = s * inv;
      }
    }
    for (const d of touched) {
      profile[d] = 0;
      mark[d] = 0;
    }
  }

  /** The seen item whose text is closest to `item`'s. */
  explain(_user: number, history: History, item: number): Explanation {
    const { indptr, indices, data } = this;
    const dense = this.dense;
    if (item >= this.items) return { kind: "popular", source: -1 };
    for (let k = indptr[item]!; k < indptr[item + 1]!; k++) dense[indices[k]!] = data[k]!;
    let best = -1;
    let bestSim = 0;
    for (let p = 0; p < history.indices.length; p++) {
      const i = history.indices[p]!;
      if (i === item || i >= this.items) continue;
      let s = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) s += dense[indices[k]!]! * data[k]!;
      if (s > bestSim) {
        bestSim = s;
        best = p;
      }
    }
    for (let k = indptr[item]!; k < indptr[item + 1]!; k++) dense[indices[k]!] = 0;
    return { kind: best < 0 ? "popular" : "similar", source: best };
  }

  /**
   * The `count` items below `below` whose text is closest to `item`'s (cosine > 0), most
   * similar first.
   */
  similarItems(item: number, count: number, below: number): { items: Int32Array; sims: Float32Array } {
    const { indptr, indices, data } = this;
    const dense = this.dense;
    for (let k = indptr[item]!; k < indptr[item + 1]!; k++) dense[indices[k]!] = data[k]!;
    const n = Math.min(below, this.items);
    const sims = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) s += dense[indices[k]!]! * data[k]!;
      sims[i] = s > 0 ? s : Number.NEGATIVE_INFINITY;
    }
    for (let k = indptr[item]!; k < indptr[item + 1]!; k++) dense[indices[k]!] = 0;
    const top = new Int32Array(Math.min(count, n));
    const found = topK(sims, null, top.length, top);
    const items = top.slice(0, found);
    return { items, sims: Float32Array.from(items, (i) => sims[i]!) };
  }

  updateUser(): void {}

  /** Encodes the catalogue's new items with the IDF learned at training. */
  growItems(count: number): void {
    const old = this.items;
    if (count <= old) return;
    const rows = encodeRows(this.space, this.catalog.items.slice(old, count));
    const indptr = new Int32Array(count + 1);
    indptr.set(this.indptr);
    const base = this.indptr[old]!;
    for (let r = 0; r < count - old; r++) indptr[old + 1 + r] = base + rows.indptr[r + 1]!;
    const indices = new Int32Array(base + rows.indices.length);
    indices.set(this.indices);
    indices.set(rows.indices, base);
    const data = new Float32Array(indices.length);
    data.set(this.data);
    data.set(rows.data, base);
    this.indptr = indptr;
    this.indices = indices;
    this.data = data;
  }

  parts(): EngineParts {
    const space = this.space.parts();
    return {
      files: {
        ...space.files,
        "indptr.i32": bytesOf(this.indptr),
        "indices.i32": bytesOf(this.indices),
        "values.f32": bytesOf(this.data),
      },
      state: { ...space.state, dims: this.space.dims, items: this.items },
    };
  }

  static fromParts(
    files: Record<string, Buffer | undefined>,
    state: Record<string, unknown>,
    catalog: ItemCatalog,
    where: string,
    encoder: SentenceEncoder | null = null,
  ): ContentEngine {
    const corrupt = () =>
      new TextkitError("ARTIFACT_CORRUPT", `the content vectors in ${where} do not match their sizes`, {
        file: where,
      });
    const dims = Number(state["dims"]);
    const items = Number(state["items"]);
    const indptr = files["indptr.i32"];
    const indices = files["indices.i32"];
    const values = files["values.f32"];
    if (!Number.isInteger(dims) || dims < 1 || !Number.isInteger(items)) throw corrupt();
    if (indptr === undefined || indices === undefined || values === undefined) throw corrupt();
    if (indptr.byteLength !== (items + 1) * 4 || indices.byteLength !== values.byteLength) throw corrupt();
    let space: TextSpace;
    if (state["space"] === "encoder") {
      space = EncoderSpace.fromState(state, dims, encoder, where);
    } else if (state["space"] === "vectors") {
      const wordsFile = files["words.json"];
      const vectors = files["vectors.f32"];
      const idf = files["idf.f32"];
      if (wordsFile === undefined || vectors === undefined || idf === undefined) throw corrupt();
      const words = JSON.parse(wordsFile.toString("utf8")) as string[];
      if (vectors.byteLength !== words.length * dims * 4 || idf.byteLength !== words.length * 4)
        throw corrupt();
      space = new VectorSpace(words, float32FromBuffer(vectors), float32FromBuffer(idf), dims);
    } else {
      const df = files["df.i32"];
      if (df === undefined || df.byteLength % 8 !== 0) throw corrupt();
      const pairs = int32FromBuffer(df);
      const map = new Map<number, number>();
      for (let i = 0; i < pairs.length; i += 2) map.set(pairs[i]!, pairs[i + 1]!);
      space = new HashedTfIdf(dims, map, Number(state["documents"]));
    }
    const ptr = int32FromBuffer(indptr);
    const idx = int32FromBuffer(indices);
    if (ptr[items] !== idx.length) throw corrupt();
    for (let k = 0; k < idx.length; k++) if (!(idx[k]! >= 0 && idx[k]! < dims)) throw corrupt();
    return new ContentEngine(space, catalog, ptr, idx, float32FromBuffer(values));
  }
}

/** Unit-length rows of the given items in `space`. */
function encodeRows(space: TextSpace, items: readonly CatalogItem[]) {
  const indptr = new Int32Array(items.length + 1);
  const dims: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < items.length; r++) {
    const start = dims.length;
    space.encode(items[r]!, dims, values);
    let norm = 0;
    for (let k = start; k < values.length; k++) norm += values[k]! * values[k]!;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = start; k < values.length; k++) values[k]! *= inv;
    }
    indptr[r + 1] = dims.length;
  }
  space.release?.();
  return { indptr, indices: Int32Array.from(dims), data: Float32Array.from(values) };
}

/**
 * Encodes the catalogue: hashed TF-IDF in `buckets` dimensions, the word vectors of
 * `vectors` (a .vec file) when given, or a pretrained encoder's sentence embeddings of
 * each item's text when `encoder` is given.
 *
 * @example
 * const engine = await trainContent(data.catalog, { buckets: 1 << 18, vectors: null });
 */
export async function trainContent(
  catalog: ItemCatalog,
  options: { buckets: number; vectors: string | null },
  encoder: ContentEncoder | null = null,
): Promise<ContentEngine> {
  const items = catalog.items;
  let space: TextSpace;
  if (encoder !== null) {
    space = EncoderSpace.of(encoder);
    await space.prepare?.(items);
  } else if (options.vectors === null) space = HashedTfIdf.fit(items, options.buckets);
  else space = await VectorSpace.fit(items, options.vectors);
  const rows = encodeRows(space, items);
  return new ContentEngine(space, catalog, rows.indptr, rows.indices, rows.data);
}
