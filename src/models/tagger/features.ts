/**
 * Observation features of the sequence tagger. Each token gets a list of 32-bit hashes,
 * one per feature template that fires (the word, its shape, affixes, neighbours within
 * two, gazetteer matches, word clusters; for Chinese, characters, character n-grams and
 * the word boundaries Intl.Segmenter finds). The model maps hashes it saw in training
 * to weight rows; unseen hashes are ignored.
 */

import type { TextLanguage } from "../../text/index.ts";
import { FNV_OFFSET, FNV_PRIME } from "../../text/index.ts";
import type { TaggerEncoderRef } from "./encoder-features.ts";
import type { Gazetteer } from "./gazetteer.ts";

/** What besides the tokens themselves can feed features. */
export interface FeatureResources {
  gazetteer: Gazetteer | null;
  /** Word (lower-cased) -> cluster id or Brown bit path. */
  clusters: Map<string, string> | null;
  /** A tagger on a pretrained encoder's word vectors: which encoder (see encoder-features.ts). */
  encoder?: TaggerEncoderRef | null;
}

const SEP = 0x1f;
const BOS = "<s>";
const EOS = "</s>";

function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function f1(template: number, a: string): number {
  return mix(Math.imul(FNV_OFFSET ^ template, FNV_PRIME), a) >>> 0;
}

function f2(template: number, a: string, b: string): number {
  return mix(Math.imul(mix(Math.imul(FNV_OFFSET ^ template, FNV_PRIME), a) ^ SEP, FNV_PRIME), b) >>> 0;
}

function f3(template: number, a: string, b: string, c: string): number {
  let h = mix(Math.imul(FNV_OFFSET ^ template, FNV_PRIME), a);
  h = mix(Math.imul(h ^ SEP, FNV_PRIME), b);
  return mix(Math.imul(h ^ SEP, FNV_PRIME), c) >>> 0;
}

/**
 * The shape of a word: upper-case letters become X, lower-case x, digits d, other
 * characters stay; runs longer than four are cut to four.
 *
 * @example
 * wordShape("McDonald's"); // "XxXxxxx'x"
 * wordShape("1996-08-22"); // "dddd-dd-dd"
 */
export function wordShape(word: string): string {
  let out = "";
  let last = "";
  let run = 0;
  for (const ch of word) {
    const c = shapeChar(ch);
    if (c === last) {
      run++;
      if (run > 4) continue;
    } else {
      last = c;
      run = 1;
    }
    out += c;
  }
  return out;
}

/**
 * The shape with every run cut to one character.
 *
 * @example
 * shortShape("Washington"); // "Xx"
 * shortShape("U.S."); // "X.X."
 */
export function shortShape(word: string): string {
  let out = "";
  let last = "";
  for (const ch of word) {
    const c = shapeChar(ch);
    if (c !== last) out += c;
    last = c;
  }
  return out;
}

function shapeChar(ch: string): string {
  if (ch >= "0" && ch <= "9") return "d";
  if (ch >= "a" && ch <= "z") return "x";
  if (ch >= "A" && ch <= "Z") return "X";
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower !== upper) return ch === upper ? "X" : "x";
  if (/\p{Script=Han}/u.test(ch)) return "H";
  if (/\p{N}/u.test(ch)) return "d";
  if (/\p{L}/u.test(ch)) return "l";
  return ch;
}

/**
 * A coarse class of a character: H (Han), d (digit), x (Latin letter), l (other letter),
 * p (punctuation or symbol), s (space).
 *
 * @example
 * charType("京"); // "H"
 */
export function charType(token: string): string {
  const cp = token.codePointAt(0) ?? 0;
  if (cp >= 0x30 && cp <= 0x39) return "d";
  const ch = String.fromCodePoint(cp);
  if (/\p{Script=Han}/u.test(ch)) return "H";
  if (/\p{N}/u.test(ch)) return "d";
  if (/\p{Script=Latin}/u.test(ch)) return "x";
  if (/\p{L}/u.test(ch)) return "l";
  if (/\s/u.test(ch)) return "s";
  return "p";
}

/** Lower case with every digit written as 0, so that numbers share features. */
export function normalizedWord(word: string): string {
  return word.toLowerCase().replace(/\p{Nd}/gu, "0");
}

/** "upper" when no letter of the sentence is lower case, "lower" when none is upper, else "mixed". */
export function sentenceCasing(tokens: readonly string[]): string {
  let upper = false;
  let lower = false;
  for (const t of tokens) {
    if (t !== t.toLowerCase()) upper = true;
    if (t !== t.toUpperCase()) lower = true;
  }
  return upper && lower ? "mixed" : upper ? "upper" : "lower";
}

const URL_LIKE = /^(https?:\/\/|www\.)/i;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const ELONGATED = /(.)\1{2,}/gu;

/**
 * Features of user-generated text: hashtags and @mentions (and the word without its
 * sigil, so that #Paris shares weights with Paris), links, emoji, and letters repeated for
 * emphasis ("sooo" reads as "soo").
 *
 * @example
 * const out: number[] = [];
 * noisyTextFeatures("#Paris", "#paris", out); // out gets 3 hashes
 */
export function noisyTextFeatures(word: string, lower: string, out: number[]): void {
  const sigil = word[0];
  if ((sigil === "#" || sigil === "@") && word.length > 1) {
    out.push(f1(25, sigil));
    out.push(f1(3, normalizedWord(word.slice(1))));
    out.push(f2(26, sigil, shortShape(word.slice(1))));
  }
  if (URL_LIKE.test(word)) out.push(f1(27, "url"));
  if (PICTOGRAPH.test(word)) out.push(f1(27, "emoji"));
  const collapsed = lower.replace(ELONGATED, "$1$1");
  if (collapsed !== lower) {
    out.push(f1(27, "elongated"));
    out.push(f1(3, collapsed));
  }
}

const zhSegmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * Where each token sits in the words Intl.Segmenter finds in the joined tokens: B (first
 * of a longer word), M, E (last), or S (a word alone), with the word itself.
 *
 * @example
 * wordBoundaryTags(["北", "京", "欢", "迎", "你"]).tags; // ["B", "E", "B", "E", "S"]
 */
export function wordBoundaryTags(tokens: readonly string[]): { tags: string[]; words: string[] } {
  const starts: number[] = [];
  let text = "";
  for (const t of tokens) {
    starts.push(text.length);
    text += t;
  }
  const tags = new Array<string>(tokens.length);
  const words = new Array<string>(tokens.length);
  let k = 0;
  for (const seg of zhSegmenter.segment(text)) {
    const segStart = seg.index;
    const segEnd = seg.index + seg.segment.length;
    while (k < tokens.length && starts[k]! < segEnd) {
      const start = starts[k]!;
      const end = start + tokens[k]!.length;
      const first = start <= segStart;
      const last = end >= segEnd;
      tags[k] = first && last ? "S" : first ? "B" : last ? "E" : "M";
      words[k] = seg.segment;
      k++;
    }
  }
  return { tags, words };
}

/**
 * A token's cluster ids (space-separated when there are several granularities), looked up
 * in lower case, then without a hashtag's or mention's sigil and with letters repeated for
 * emphasis cut to two; "" when the word has no cluster.
 */
function clusterOf(clusters: Map<string, string>, token: string): string {
  const lower = token.toLowerCase();
  const direct = clusters.get(lower);
  if (direct !== undefined) return direct;
  const bare = lower.replace(/^[#@]+|#$/gu, "");
  return clusters.get(bare) ?? clusters.get(bare.replace(ELONGATED, "$1$1")) ?? "";
}

/**
 * Computes the feature hashes of every token of a sentence into `out` (flat) with the
 * start of token i's features at `offsets[i]` (`offsets` gets tokens.length + 1 entries).
 */
export class TaggerFeatures {
  readonly language: TextLanguage;
  private readonly resources: FeatureResources;

  constructor(language: TextLanguage, resources: FeatureResources) {
    this.language = language;
    this.resources = resources;
  }

  sentence(tokens: readonly string[], out: number[], offsets: number[]): void {
    out.length = 0;
    offsets.length = 0;
    const gaz = this.resources.gazetteer === null ? null : this.resources.gazetteer.match(tokens);
    const clusters = this.resources.clusters;
    if (this.language === "zh") this.chinese(tokens, out, offsets, gaz);
    else this.english(tokens, out, offsets, gaz);
    offsets.push(out.length);
    // Cluster features are shared by both languages and appended per token afterwards.
    if (clusters !== null) this.addClusters(tokens, out, offsets, clusters);
  }

  private english(tokens: readonly string[], out: number[], offsets: number[], gaz: string[] | null): void {
    const n = tokens.length;
    const norm = tokens.map(normalizedWord);
    const short = tokens.map(shortShape);
    const w = (i: number) => (i < 0 ? BOS : i >= n ? EOS : norm[i]!);
    const s = (i: number) => (i < 0 ? BOS : i >= n ? EOS : short[i]!);
    const casing = sentenceCasing(tokens);
    for (let i = 0; i < n; i++) {
      offsets.push(out.length);
      const word = tokens[i]!;
      const lower = word.toLowerCase();
      out.push(f1(1, ""));
      out.push(f1(2, word));
      out.push(f1(3, norm[i]!));
      out.push(f1(4, wordShape(word)));
      out.push(f1(5, short[i]!));
      const chars = Array.from(lower);
      for (let k = 1; k <= 4 && k <= chars.length; k++) {
        out.push(f1(5 + k, chars.slice(0, k).join("")));
        out.push(f1(9 + k, chars.slice(chars.length - k).join("")));
      }
      out.push(f1(14, w(i - 2)));
      out.push(f1(15, w(i - 1)));
      out.push(f1(16, w(i + 1)));
      out.push(f1(17, w(i + 2)));
      out.push(f2(18, w(i - 1), norm[i]!));
      out.push(f2(19, norm[i]!, w(i + 1)));
      out.push(f1(20, s(i - 1)));
      out.push(f1(21, s(i + 1)));
      out.push(f3(22, s(i - 1), short[i]!, s(i + 1)));
      if (i === 0) out.push(f1(23, short[i]!));
      // Capitals mean less in a sentence written all in upper or all in lower case.
      if (casing !== "mixed") out.push(f2(24, casing, short[i]!));
      noisyTextFeatures(word, lower, out);
      if (gaz !== null) this.addGazetteer(gaz, i, out);
    }
  }

  private chinese(tokens: readonly string[], out: number[], offsets: number[], gaz: string[] | null): void {
    const n = tokens.length;
    const lower = tokens.map(normalizedWord);
    const types = tokens.map(charType);
    const { tags: seg, words } = wordBoundaryTags(tokens);
    const c = (i: number) => (i < 0 ? BOS : i >= n ? EOS : lower[i]!);
    const t = (i: number) => (i < 0 ? BOS : i >= n ? EOS : types[i]!);
    const b = (i: number) => (i < 0 ? BOS : i >= n ? EOS : seg[i]!);
    for (let i = 0; i < n; i++) {
      offsets.push(out.length);
      out.push(f1(1, ""));
      out.push(f1(30, c(i)));
      out.push(f1(31, c(i - 2)));
      out.push(f1(32, c(i - 1)));
      out.push(f1(33, c(i + 1)));
      out.push(f1(34, c(i + 2)));
      out.push(f2(35, c(i - 1), c(i)));
      out.push(f2(36, c(i), c(i + 1)));
      out.push(f2(37, c(i - 1), c(i + 1)));
      out.push(f3(38, t(i - 1), t(i), t(i + 1)));
      out.push(f1(39, t(i)));
      const len = Math.min(4, Array.from(words[i]!).length);
      out.push(f2(40, seg[i]!, String(len)));
      out.push(f2(41, words[i]!, seg[i]!));
      out.push(f3(42, b(i - 1), seg[i]!, b(i + 1)));
      out.push(f3(43, c(i - 1), c(i), c(i + 1)));
      out.push(f2(44, c(i - 2), c(i - 1)));
      out.push(f2(45, c(i + 1), c(i + 2)));
      if (types[i] !== "H") {
        out.push(f1(4, wordShape(tokens[i]!)));
        out.push(f1(5, shortShape(tokens[i]!)));
      }
      if (gaz !== null) this.addGazetteer(gaz, i, out);
    }
  }

  private addGazetteer(gaz: string[], i: number, out: number[]): void {
    const here = gaz[i]!;
    if (here !== "") out.push(f1(50, here));
    if (i > 0 && gaz[i - 1] !== "") out.push(f1(51, gaz[i - 1]!));
    if (i + 1 < gaz.length && gaz[i + 1] !== "") out.push(f1(52, gaz[i + 1]!));
  }

  /** Cluster ids of the token and its neighbours, and prefixes of Brown bit paths. */
  private addClusters(
    tokens: readonly string[],
    out: number[],
    offsets: number[],
    clusters: Map<string, string>,
  ): void {
    const n = tokens.length;
    const ids = tokens.map((tok) => clusterOf(clusters, tok).split(" "));
    // Rebuild the flat list with cluster features inserted after each token's own.
    const merged: number[] = [];
    const newOffsets: number[] = [];
    for (let i = 0; i < n; i++) {
      newOffsets.push(merged.length);
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) merged.push(out[j]!);
      for (const id of ids[i]!) {
        if (id === "") continue;
        merged.push(f1(60, id));
        if (/^[01]+$/.test(id))
          for (const p of [4, 6, 10, 20]) if (id.length > p) merged.push(f1(60 + p, id.slice(0, p)));
      }
      for (const id of i > 0 ? ids[i - 1]! : []) if (id !== "") merged.push(f1(61, id));
      for (const id of i + 1 < n ? ids[i + 1]! : []) if (id !== "") merged.push(f1(62, id));
    }
    newOffsets.push(merged.length);
    out.length = 0;
    for (const x of merged) out.push(x);
    offsets.length = 0;
    for (const x of newOffsets) offsets.push(x);
  }
}
