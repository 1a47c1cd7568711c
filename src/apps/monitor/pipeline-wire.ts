/**
 * How a batch crosses between the main thread and a pipeline worker. A structured clone of
 * an array of objects costs a property walk and a new object shape per document on both
 * sides; columns cost a copy of each string and one copy of each typed array. So a batch
 * goes out as columns of the fields the pipeline reads, and comes back as columns: the
 * keys, one table of the batch's distinct strings (languages, topics, sentiments, terms,
 * each sent once) with indices into it, the scores in typed arrays, and the entities as
 * they are (only when a tagger found some). The main thread then builds each stored
 * document in one object literal of a fixed shape.
 */
import type { MonitorDocument, MonitorDocumentInput, MonitorEntity } from "./document.ts";

/** The fields of a batch the pipeline reads, one array each (null where a document has none). */
export interface InputColumns {
  text: string[];
  title: (string | null)[];
  id: (string | null)[];
  source: (string | null)[];
  lang: (string | null)[];
  /** The document's own time; NaN where it has none (the worker counts by it, see precount). */
  publishedAt: Float64Array;
}

/** What the pipeline found for a batch, as columns (see the file comment). */
export interface FindingColumns {
  key: string[];
  /** Distinct strings of the batch; the Int32Arrays below index into it. */
  strings: string[];
  lang: Int32Array;
  topic: Int32Array;
  sentiment: Int32Array;
  /** Scores; NaN stands for null (a probability is never NaN). */
  langScore: Float64Array;
  topicScore: Float64Array;
  sentimentScore: Float64Array;
  /** Document i's terms are strings[termIds[termStart[i]] .. termIds[termStart[i + 1] - 1]]. */
  termStart: Int32Array;
  termIds: Int32Array;
  /** Each document's entities, or null when no document has any. */
  entities: MonitorEntity[][] | null;
}

/**
 * The columns of `inputs`, read once: the main thread builds the stored documents from them
 * too (see documentsOf), so each input object's fields are read here only. Inputs come in
 * many shapes, so each read is a megamorphic property load (~0.2 µs a document per field,
 * measured by profile). `url` is kept here on the main thread and not sent to a worker.
 */
export function inputColumns(
  inputs: readonly MonitorDocumentInput[],
): InputColumns & { url: (string | null)[] } {
  const n = inputs.length;
  const out: InputColumns & { url: (string | null)[] } = {
    text: new Array<string>(n),
    title: new Array<string | null>(n),
    id: new Array<string | null>(n),
    source: new Array<string | null>(n),
    lang: new Array<string | null>(n),
    publishedAt: new Float64Array(n),
    url: new Array<string | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const d = inputs[i] as MonitorDocumentInput;
    out.text[i] = d.text;
    out.title[i] = d.title ?? null;
    out.id[i] = d.id ?? null;
    out.source[i] = d.source ?? null;
    out.lang[i] = d.lang ?? null;
    out.publishedAt[i] = d.publishedAt ?? Number.NaN;
    out.url[i] = d.url ?? null;
  }
  return out;
}

/** The fields of `columns` a worker reads, without the main thread's `url`: the request's inputs. */
export function workerColumns(columns: InputColumns): InputColumns {
  const { text, title, id, source, lang, publishedAt } = columns;
  return { text, title, id, source, lang, publishedAt };
}

/** The inputs back from their columns, with the fields the pipeline reads. */
export function inputsOf(columns: InputColumns): MonitorDocumentInput[] {
  const { text, title, id, source, lang, publishedAt } = columns;
  const out = new Array<MonitorDocumentInput>(text.length);
  for (let i = 0; i < text.length; i++) {
    const d: MonitorDocumentInput = { text: text[i] ?? "" };
    const t = title[i] ?? null;
    if (t !== null) d.title = t;
    const k = id[i] ?? null;
    if (k !== null) d.id = k;
    const s = source[i] ?? null;
    if (s !== null) d.source = s;
    const l = lang[i] ?? null;
    if (l !== null) d.lang = l;
    const p = publishedAt[i] ?? Number.NaN;
    if (!Number.isNaN(p)) d.publishedAt = p;
    out[i] = d;
  }
  return out;
}

const orNaN = (x: number | null): number => (x === null ? Number.NaN : x);
const orNull = (x: number | undefined): number | null => (x === undefined || Number.isNaN(x) ? null : x);

/** The findings of enriched documents as columns. */
export function findingColumns(docs: readonly MonitorDocument[]): FindingColumns {
  const n = docs.length;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let at = ids.get(s);
    if (at === undefined) {
      at = strings.length;
      strings.push(s);
      ids.set(s, at);
    }
    return at;
  };
  const out: FindingColumns = {
    key: new Array<string>(n),
    strings,
    lang: new Int32Array(n),
    topic: new Int32Array(n),
    sentiment: new Int32Array(n),
    langScore: new Float64Array(n),
    topicScore: new Float64Array(n),
    sentimentScore: new Float64Array(n),
    termStart: new Int32Array(n + 1),
    termIds: new Int32Array(0),
    entities: null,
  };
  const termIds: number[] = [];
  let anyEntity = false;
  for (let i = 0; i < n; i++) {
    const d = docs[i] as MonitorDocument;
    out.key[i] = d.key;
    out.lang[i] = idOf(d.lang);
    // Topic and sentiment are null only in documents read back from a store, never here;
    // -1 keeps them exact all the same.
    out.topic[i] = d.topic === null ? -1 : idOf(d.topic);
    out.sentiment[i] = d.sentiment === null ? -1 : idOf(d.sentiment);
    out.langScore[i] = orNaN(d.langScore);
    out.topicScore[i] = orNaN(d.topicScore);
    out.sentimentScore[i] = orNaN(d.sentimentScore);
    out.termStart[i] = termIds.length;
    for (const term of d.terms) termIds.push(idOf(term));
    if (d.entities.length > 0) anyEntity = true;
  }
  out.termStart[n] = termIds.length;
  out.termIds = Int32Array.from(termIds);
  if (anyEntity) out.entities = docs.map((d) => d.entities);
  return out;
}

/**
 * The stored documents of the inputs whose columns are `inputs` (see inputColumns), with the
 * findings the worker sent back: the same objects `DocumentPipeline.enrich` makes on the
 * main thread (a NaN time, like an absent one, is the time of arrival, as the worker counts it).
 */
export function documentsOf(
  inputs: InputColumns & { url: readonly (string | null)[] },
  ingestedAt: number,
  found: FindingColumns,
): MonitorDocument[] {
  const { strings, termStart, termIds } = found;
  const at = (column: Int32Array, i: number): string | null => {
    const s = column[i] ?? -1;
    return s < 0 ? null : (strings[s] ?? null);
  };
  const { text, title, id, source, url, publishedAt } = inputs;
  const out = new Array<MonitorDocument>(text.length);
  for (let i = 0; i < text.length; i++) {
    const from = termStart[i] ?? 0;
    const to = termStart[i + 1] ?? from;
    const terms = new Array<string>(to - from);
    for (let t = from; t < to; t++) terms[t - from] = strings[termIds[t] ?? 0] ?? "";
    const time = publishedAt[i] ?? Number.NaN;
    // The fields and their order of storedDocument (one shape for every document).
    out[i] = {
      id: id[i] ?? null,
      source: source[i] ?? "api",
      title: title[i] ?? null,
      text: text[i] ?? "",
      url: url[i] ?? null,
      publishedAt: Number.isNaN(time) ? ingestedAt : time,
      ingestedAt,
      topic: at(found.topic, i),
      topicScore: orNull(found.topicScore[i]),
      sentiment: at(found.sentiment, i),
      sentimentScore: orNull(found.sentimentScore[i]),
      entities: found.entities?.[i] ?? [],
      terms,
      key: found.key[i] ?? "",
      lang: at(found.lang, i) ?? "",
      langScore: orNull(found.langScore[i]),
    };
  }
  return out;
}

/** What the pipeline adds to a document. */
export type Findings = Pick<
  MonitorDocument,
  | "key"
  | "lang"
  | "langScore"
  | "topic"
  | "topicScore"
  | "sentiment"
  | "sentimentScore"
  | "entities"
  | "terms"
>;

/**
 * A stored document: the input's fields with their defaults (source "api", the time of
 * arrival when it has no time of its own) and the pipeline's findings, in one object
 * literal (one shape for every document, in the order the store and the API have always
 * seen).
 */
export function storedDocument(
  input: MonitorDocumentInput,
  ingestedAt: number,
  f: Findings,
): MonitorDocument {
  return {
    id: input.id ?? null,
    source: input.source ?? "api",
    title: input.title ?? null,
    text: input.text,
    url: input.url ?? null,
    publishedAt: input.publishedAt ?? ingestedAt,
    ingestedAt,
    topic: f.topic,
    topicScore: f.topicScore,
    sentiment: f.sentiment,
    sentimentScore: f.sentimentScore,
    entities: f.entities,
    terms: f.terms,
    key: f.key,
    lang: f.lang,
    langScore: f.langScore,
  };
}
