/**
 * Token-level encoder output for taggers: the last hidden state of every sub-word piece
 * (the ONNX output before pooling), each piece traced back to the word it came from, and
 * one vector per word from those (its first piece's, as BERT-NER does, or the mean).
 *
 * Words are tokenised one by one (as `is_split_into_words` does in transformers), so each
 * piece belongs to exactly one word. A sentence with more pieces than the model takes is
 * run as overlapping windows rather than cut: each piece takes its vector from the window
 * where it has the most context on both sides, so every word gets a vector.
 */
import { checkInt, TextkitError, type WordVectorMode } from "../../core/index.ts";
import type { HiddenStates } from "./pooling.ts";
import type { EncoderTokenizer } from "./tokenize.ts";
import type { EncodeOptions } from "./types.ts";

/** One sentence's pieces: ids without special tokens, each piece's word and its hidden state. */
export interface SentenceTokenStates {
  ids: number[];
  /** wordOf[p] is the index of the word piece p belongs to. */
  wordOf: number[];
  /** pieces × dim, row-major: the last hidden state of each piece. */
  states: Float32Array;
  /** Forward passes the sentence took (1 unless it was longer than the maximum). */
  windows: number;
}

export interface TokenStatesOptions extends EncodeOptions {
  /**
   * Pieces shared by consecutive windows of a long sentence; default a quarter of the room
   * a window has (at least 1 and below the room).
   */
  overlap?: number;
}

/** What token-states needs of a loaded encoder. */
export interface TokenStatesRunner {
  tokenizer: EncoderTokenizer;
  dim: number;
  forward(rows: readonly (readonly number[])[]): Promise<HiddenStates>;
}

/** A window of pieces [start, end) of a sentence. */
interface Window {
  sentence: number;
  start: number;
  end: number;
}

/**
 * Windows over `count` pieces, `room` pieces each, consecutive ones sharing `overlap`;
 * the last one ends at the sentence's end.
 */
export function planWindows(count: number, room: number, overlap: number): { start: number; end: number }[] {
  if (count <= room) return [{ start: 0, end: count }];
  const stride = Math.max(1, room - overlap);
  const out: { start: number; end: number }[] = [];
  for (let start = 0; ; start += stride) {
    if (start + room >= count) {
      out.push({ start: Math.max(0, count - room), end: count });
      return out;
    }
    out.push({ start, end: start + room });
  }
}

/**
 * For each piece, the window (index into `windows`) where it sees the most context: the
 * larger of its smaller distances to a window edge, a sentence edge counting as far away.
 */
export function windowOwners(count: number, windows: readonly { start: number; end: number }[]): Int32Array {
  const owner = new Int32Array(count);
  const best = new Float64Array(count).fill(-1);
  windows.forEach(({ start, end }, w) => {
    for (let p = start; p < end; p++) {
      const left = start === 0 ? Number.POSITIVE_INFINITY : p - start;
      const right = end === count ? Number.POSITIVE_INFINITY : end - 1 - p;
      const context = Math.min(left, right);
      if (context > (best[p] ?? 0)) {
        best[p] = context;
        owner[p] = w;
      }
    }
  });
  return owner;
}

function checkSentences(sentences: unknown): asserts sentences is readonly (readonly string[])[] {
  if (
    !Array.isArray(sentences) ||
    sentences.some((s) => !Array.isArray(s) || s.some((w: unknown) => typeof w !== "string"))
  ) {
    throw new TextkitError(
      "OPTION_INVALID",
      "the encoder takes a list of sentences, each a list of word strings",
      {
        details: { option: "words" },
      },
    );
  }
}

/**
 * The last hidden state of every piece of every sentence (`sentences[i]` given as words).
 * Windows of all sentences are sorted by length and run in passes of `forwardRows`.
 */
export async function tokenStates(
  runner: TokenStatesRunner,
  sentences: readonly (readonly string[])[],
  options: TokenStatesOptions,
  forwardRows: number,
): Promise<SentenceTokenStates[]> {
  checkSentences(sentences);
  const { tokenizer, dim } = runner;
  const room = tokenizer.room;
  const overlap = options.overlap ?? Math.min(room - 1, Math.max(1, Math.floor(room / 4)));
  checkInt("overlap", overlap, 0, Math.max(0, room - 1));
  const batchSize = options.batchSize ?? 32;
  checkInt("batchSize", batchSize, 1, 65_536);
  const out: SentenceTokenStates[] = [];
  const windows: Window[] = [];
  const owners: Int32Array[] = [];
  sentences.forEach((words, s) => {
    const ids: number[] = [];
    const wordOf: number[] = [];
    words.forEach((word, w) => {
      for (const id of tokenizer.pieces(word)) {
        ids.push(id);
        wordOf.push(w);
      }
    });
    const plan = planWindows(ids.length, room, overlap);
    for (const { start, end } of plan) windows.push({ sentence: s, start, end });
    owners.push(windowOwners(ids.length, plan));
    out.push({ ids, wordOf, states: new Float32Array(ids.length * dim), windows: plan.length });
  });
  // Each window's index within its sentence, for the owner check.
  const ordinal = new Int32Array(windows.length);
  for (let i = 1; i < windows.length; i++) {
    const prev = windows[i - 1];
    const cur = windows[i];
    if (prev !== undefined && cur !== undefined && prev.sentence === cur.sentence) {
      ordinal[i] = (ordinal[i - 1] ?? 0) + 1;
    }
  }
  const order = windows.map((_, i) => i).sort((a, b) => span(windows[a]) - span(windows[b]));
  options.onProgress?.({ done: 0, total: sentences.length });
  let done = 0;
  for (let at = 0; at < order.length; at += forwardRows) {
    const members = order.slice(at, at + forwardRows);
    const rows = members.map((i) => {
      const win = windows[i];
      const sentence = win === undefined ? undefined : out[win.sentence];
      return tokenizer.wrap(
        sentence === undefined || win === undefined ? [] : sentence.ids.slice(win.start, win.end),
      );
    });
    const hidden = await runner.forward(rows);
    members.forEach((i, row) => {
      const win = windows[i];
      const sentence = win === undefined ? undefined : out[win.sentence];
      const owner = win === undefined ? undefined : owners[win.sentence];
      if (win === undefined || sentence === undefined || owner === undefined) return;
      const base = (row * hidden.seq + tokenizer.prefixLength) * dim;
      for (let p = win.start; p < win.end; p++) {
        if (owner[p] !== ordinal[i]) continue;
        const from = base + (p - win.start) * dim;
        sentence.states.set(hidden.data.subarray(from, from + dim), p * dim);
      }
      if (win.end === sentence.ids.length) done += 1;
    });
    if ((at / forwardRows) % 4 === 3) options.onProgress?.({ done, total: sentences.length });
  }
  options.onProgress?.({ done: sentences.length, total: sentences.length });
  return out;
}

function span(win: Window | undefined): number {
  return win === undefined ? 0 : win.end - win.start;
}

/**
 * One vector per word (`words × dim`) from a sentence's piece states: its first piece's or
 * the mean of its pieces (in double precision). A word with no piece at all (one the
 * tokenizer drops entirely, such as a control character) gets zeros.
 */
export function wordVectors(
  states: SentenceTokenStates,
  words: number,
  dim: number,
  mode: WordVectorMode,
): Float32Array {
  const out = new Float32Array(words * dim);
  if (mode === "first") {
    let last = -1;
    states.wordOf.forEach((w, p) => {
      if (w === last) return;
      last = w;
      out.set(states.states.subarray(p * dim, (p + 1) * dim), w * dim);
    });
    return out;
  }
  const sums = new Float64Array(words * dim);
  const counts = new Int32Array(words);
  states.wordOf.forEach((w, p) => {
    counts[w] = (counts[w] ?? 0) + 1;
    for (let d = 0; d < dim; d++)
      sums[w * dim + d] = (sums[w * dim + d] ?? 0) + (states.states[p * dim + d] ?? 0);
  });
  counts.forEach((n, w) => {
    if (n === 0) return;
    for (let d = 0; d < dim; d++) out[w * dim + d] = (sums[w * dim + d] ?? 0) / n;
  });
  return out;
}
