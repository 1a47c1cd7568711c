/**
 * Tagged data (named entities, slots): sentences of tokens with one tag each. The readers
 * (CoNLL columns, JSONL spans) produce these; the tagger trains on them.
 */
import type { TagScheme } from "../core/index.ts";
import type { TextLanguage } from "../text/index.ts";

export const TAGGED_FORMATS = ["conll", "jsonl"] as const;
export type TaggedFormat = (typeof TAGGED_FORMATS)[number];
/** What separates CoNLL columns: runs of spaces or tabs, or single tabs (spaces then belong to the token). */
export const CONLL_DELIMITERS = ["space", "tab"] as const;
export type ConllDelimiter = (typeof CONLL_DELIMITERS)[number];
/** What JSONL offsets count: UTF-16 code units (JavaScript) or code points (Python's str). */
export const SPAN_OFFSET_UNITS = ["utf16", "codepoint"] as const;
export type SpanOffsetUnit = (typeof SPAN_OFFSET_UNITS)[number];
/** Whether a JSONL span's end is the first position after the entity or its last. */
export const SPAN_END_CONVENTIONS = ["exclusive", "inclusive"] as const;
export type SpanEndConvention = (typeof SPAN_END_CONVENTIONS)[number];

/** Tag sequences the reader repaired (with `repair: true`), as conlleval reads them. */
export interface TagRepairs {
  /** Tags changed. */
  tags: number;
  sentences: number;
  /** Lines of the first repaired tags (at most 10). */
  lines: number[];
}

export interface TaggedSentence {
  /** Words (en) or characters (zh); never empty strings. */
  tokens: string[];
  /** One tag per token, always BIO, whatever scheme the file used. */
  tags: string[];
  /** 1-based line of the file where the sentence starts (CoNLL: its first token line; JSONL: its line). */
  line: number;
  /**
   * The sentence as text. JSONL: the "text" field as given. CoNLL: the tokens joined with
   * one space (en), or (zh) with nothing except one space between two tokens of a spaced
   * script ("iPhone" "15" gives "iPhone 15", "北" "京" gives "北京").
   */
  text: string;
  /** UTF-16 offsets of each token in `text`: token i is text.slice(starts[i], ends[i]). */
  starts: number[];
  ends: number[];
}

export interface TaggedDataset {
  source: string;
  format: TaggedFormat;
  /** The scheme the file was written in (tags in memory are BIO). */
  scheme: TagScheme;
  language: TextLanguage;
  sentences: TaggedSentence[];
  /** Entity types that occur, in code point order. */
  types: string[];
  /** What `repair` changed, when it changed anything. */
  repairs?: TagRepairs;
  /** Things a person should know about how the file was read (a likely other offset convention). */
  warnings?: string[];
}

export interface TaggedReadOptions {
  /** Default: from the extension (.jsonl/.json → jsonl, anything else → conll). */
  format?: TaggedFormat;
  /** The file's tag scheme; default: detected (see detectTagScheme). CoNLL only. */
  scheme?: TagScheme;
  /** Default: zh when most tokens (or most letters of the texts) are Han characters, else en. */
  language?: TextLanguage;
  /** CoNLL: 0-based column of the tag (default: the last); the token is column 0. */
  tagColumn?: number;
  /** CoNLL: what separates columns (default "space": runs of spaces or tabs). */
  delimiter?: ConllDelimiter;
  /**
   * CoNLL: rewrite tag sequences the scheme forbids as conlleval reads them (in BIO, an I-X
   * that starts an entity becomes B-X) instead of refusing the file; see `TaggedDataset.repairs`.
   */
  repair?: boolean;
  /** JSONL: what the offsets count (default "utf16"). */
  offsets?: SpanOffsetUnit;
  /** JSONL: whether `end` is exclusive (default) or inclusive. */
  end?: SpanEndConvention;
}
