/**
 * Token strings as small integer ids, shared by everything that reads the same tokens: the
 * monitor tokenizes a document once and interns its tokens once, then each of its models
 * and its term extractor looks a token up by id in a typed array of its own, instead of each
 * hashing and comparing the token string in a Map of its own.
 */

import { FNV_OFFSET, FNV_PRIME } from "./hash.ts";

/** Distinct tokens kept before the ids are forgotten (a few MiB). */
const DEFAULT_CAPACITY = 100_000;

/**
 * The token lists of a batch as ids: list `j` is `ids[starts[j] .. starts[j + 1])`, ids of
 * `source` in its `generation`.
 */
export interface TokenIdLists {
  readonly ids: Int32Array;
  readonly starts: Int32Array;
  readonly source: TokenIds;
}

/**
 * Where a tokenizer puts its tokens: each as a range of the text it read (no string made),
 * or as a string it had to make anyway.
 */
export interface TokenSink {
  range(text: string, start: number, end: number): void;
  token(token: string): void;
}

/** A sink that keeps the tokens as strings. */
export class TokenList implements TokenSink {
  readonly tokens: string[] = [];
  range(text: string, start: number, end: number): void {
    this.tokens.push(text.slice(start, end));
  }
  token(token: string): void {
    this.tokens.push(token);
  }
}

/**
 * Interns token strings. Ids are dense from 0, so a reader keeps what it knows of a token in
 * an array indexed by id. When more than `capacity` tokens were seen, the ids are forgotten
 * before the next batch and `generation` changes: a reader that kept anything by id for an
 * older generation must forget it.
 *
 * A token given as a range of a text is looked up by its characters (FNV-1a over its UTF-16
 * code units from a random start, in an open-addressing table of ids): no string is made
 * unless it is new.
 *
 * @example
 * const ids = new TokenIds();
 * const lists = ids.internAll([["fast", "text"], ["text"]]);
 * lists.ids; // Int32Array [0, 1, 1]
 * lists.starts; // Int32Array [0, 2, 3]
 * ids.token(1); // "text"
 */
export class TokenIds {
  private readonly tokens: string[] = [];
  /** Per slot, a token's hash and id side by side (id -1: empty); at most half full. */
  private slots = new Int32Array(2 * 2048).fill(-1);
  /**
   * The code units of every token, one after another: id `i` is `chars[offsets[i] ..
   * offsets[i + 1])`. A lookup compares with them, not with the token string, so that it
   * reads one buffer rather than a string object anywhere in the heap.
   */
  private chars = new Uint16Array(8192);
  private offsets = new Int32Array(1024);
  private current = 0;
  /**
   * Mixed into every hash, different for every table, so that no one can choose texts whose
   * tokens all land in one run of slots (ids do not depend on it: they follow first appearance).
   */
  private readonly seed = FNV_OFFSET ^ Math.floor(Math.random() * 2 ** 32);
  /** The ids of the list being interned. */
  private pending = new Int32Array(1024);
  private count = 0;
  /** What `internTexts` hands the tokenizer: each token's id goes to the list being interned. */
  private readonly sink: TokenSink = {
    range: (text, start, end) => this.push(this.idOf(text, start, end)),
    token: (token) => this.push(this.idOf(token, 0, token.length)),
  };

  constructor(readonly capacity = DEFAULT_CAPACITY) {}

  /** Changes whenever the ids were forgotten: an id of an older generation may mean another token now. */
  get generation(): number {
    return this.current;
  }

  /** Distinct tokens with an id. */
  get size(): number {
    return this.tokens.length;
  }

  /** The token of `id` (an id this generation gave). */
  token(id: number): string {
    const token = this.tokens[id];
    if (token === undefined) throw new RangeError(`no token has the id ${id}`);
    return token;
  }

  /**
   * The ids of every list. The ids of one call all belong to the same generation: the table
   * is emptied before the call when it is full, never during it (a batch of more distinct
   * tokens than `capacity` is kept whole, and emptied at the next call).
   */
  internAll(lists: readonly (readonly string[])[]): TokenIdLists {
    return this.internEach(lists.length, (j) => {
      for (const token of lists[j] ?? []) this.push(this.idOf(token, 0, token.length));
    });
  }

  /**
   * The ids of the tokens of every text, as `tokenize` puts them into the sink it is given:
   * the same ids as `internAll` of the token strings, without the strings.
   */
  internTexts(texts: readonly string[], tokenize: (text: string, sink: TokenSink) => void): TokenIdLists {
    return this.internEach(texts.length, (j) => tokenize(texts[j] ?? "", this.sink));
  }

  private internEach(lists: number, each: (j: number) => void): TokenIdLists {
    if (this.tokens.length >= this.capacity) this.forget();
    const starts = new Int32Array(lists + 1);
    this.count = 0;
    for (let j = 0; j < lists; j++) {
      starts[j] = this.count;
      each(j);
    }
    starts[lists] = this.count;
    return { ids: this.pending.slice(0, this.count), starts, source: this };
  }

  private forget(): void {
    this.tokens.length = 0;
    this.slots.fill(-1);
    this.current++;
  }

  private push(id: number): void {
    if (this.count === this.pending.length) {
      const grown = new Int32Array(2 * this.count);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[this.count++] = id;
  }

  /** The id of `text[start .. end)`, given one if new. */
  private idOf(text: string, start: number, end: number): number {
    let h = this.seed;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
    const { slots, chars, offsets } = this;
    const mask = (slots.length >> 1) - 1;
    const length = end - start;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const id = slots[2 * at + 1] as number;
      if (id < 0) return this.add(h, text, start, end, at);
      if (slots[2 * at] !== h) continue;
      const from = offsets[id] as number;
      if ((offsets[id + 1] as number) - from !== length) continue;
      let k = 0;
      while (k < length && chars[from + k] === text.charCodeAt(start + k)) k++;
      if (k === length) return id;
    }
  }

  /** Gives `text[start .. end)` (hash `h`, not in the table, whose free slot `at` it may take) the next id. */
  private add(h: number, text: string, start: number, end: number, at: number): number {
    const id = this.tokens.length;
    this.tokens.push(start === 0 && end === text.length ? text : text.slice(start, end));
    if (id + 2 > this.offsets.length) this.offsets = grownTo(this.offsets, 2 * (id + 2));
    const from = id === 0 ? 0 : (this.offsets[id] as number);
    const to = from + end - start;
    if (to > this.chars.length) this.chars = grownTo(this.chars, 2 * to);
    for (let i = start; i < end; i++) this.chars[from + i - start] = text.charCodeAt(i);
    this.offsets[id] = from;
    this.offsets[id + 1] = to;
    let slot = at;
    if (2 * (id + 1) > this.slots.length >> 1) {
      this.rehash(this.slots.length);
      const mask = (this.slots.length >> 1) - 1;
      slot = h & mask;
      while ((this.slots[2 * slot + 1] as number) >= 0) slot = (slot + 1) & mask;
    }
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id;
    return id;
  }

  /** A table of `size` slots (twice as many as now), holding every token of the current one. */
  private rehash(size: number): void {
    const old = this.slots;
    const slots = new Int32Array(2 * size).fill(-1);
    const mask = size - 1;
    for (let from = 0; from < old.length; from += 2) {
      const id = old[from + 1] as number;
      if (id < 0) continue;
      const h = old[from] as number;
      let at = h & mask;
      while ((slots[2 * at + 1] as number) >= 0) at = (at + 1) & mask;
      slots[2 * at] = h;
      slots[2 * at + 1] = id;
    }
    this.slots = slots;
  }
}

/** `array` copied into a new one of `length` elements. */
function grownTo<T extends Int32Array | Uint16Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (n: number) => T)(length);
  grown.set(array);
  return grown;
}
