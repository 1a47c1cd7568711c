/**
 * Building a retrieval index: the items' terms for BM25 and, given an encoder, their vectors.
 */
import { TextkitError } from "../../core/index.ts";
import { Bm25Index } from "./bm25.ts";
import { RetrievalIndex } from "./retrieval-index.ts";
import { checkItems, indexedText } from "./retrieval-items.ts";
import {
  type EncoderInfo,
  type IndexHooks,
  type IndexProgress,
  type RetrievalItemInput,
  type RetrievalOptions,
  resolveRetrievalOptions,
} from "./retrieval-options.ts";
import { RetrievalTokenizer } from "./terms.ts";
import { type AnyPassageEncoder, encodeTextsAsync, isAsyncEncoder, VectorIndex } from "./vector-index.ts";

/** Texts handed to the encoder at a time (progress is reported between them). */
const ENCODE_BATCH = 256;

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
 * text. The same items, options and encoder give the same index, byte for byte. An
 * asynchronous encoder (a pretrained transformer) gets the texts in batches of 256, which
 * it sorts by length and splits into forward passes itself.
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
  encoder?: AnyPassageEncoder,
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

  const encoded = encoder === undefined ? null : await encodeItems(encoder, texts, hooks);
  return new RetrievalIndex({
    options,
    items: stored,
    bm25,
    vectors: encoded?.vectors ?? null,
    encoder: encoded?.used ?? null,
    encoderInfo: encoded === null ? null : encoderInfoOf(encoded.used),
  });
}

/** What the encoder's side of an index is, as the artifact records it. */
function encoderInfoOf(encoder: AnyPassageEncoder): EncoderInfo {
  return isAsyncEncoder(encoder)
    ? { id: encoder.id, dim: encoder.dim, checksum: encoder.checksum, path: encoder.path }
    : { id: encoder.id, dim: encoder.dim };
}

/** The encoder (fitted first when it can be) and the unit vectors of every text. */
async function encodeItems(
  encoder: AnyPassageEncoder,
  texts: readonly string[],
  hooks: IndexHooks,
): Promise<{ used: AnyPassageEncoder; vectors: VectorIndex }> {
  const used = isAsyncEncoder(encoder) || encoder.fit === undefined ? encoder : encoder.fit(texts);
  const dim = used.dim;
  if (!(Number.isInteger(dim) && dim >= 1)) {
    throw new TextkitError(
      "DATA_BAD_VECTORS",
      `encoder '${used.id}' has dimension ${dim}; it must be a whole number >= 1`,
    );
  }
  const n = texts.length;
  const rows = new Float32Array(n * dim);
  const reportVectors = progressReporter("vectors", n, hooks);
  for (let start = 0; start < n; start += ENCODE_BATCH) {
    const batch = texts.slice(start, start + ENCODE_BATCH);
    rows.set(await encodeTextsAsync(used, batch), start * dim);
    reportVectors(start + batch.length, isAsyncEncoder(used));
  }
  reportVectors(n, true);
  return { used, vectors: VectorIndex.fromRows(rows, dim) };
}
