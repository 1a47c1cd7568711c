/**
 * Token strings as small integer ids, shared by everything that reads the same tokens: the
 * monitor tokenizes a document once and interns its tokens once, then each of its models
 * and its term extractor looks a token up by id in a typed array of its own, instead of each
 * hashing and comparing the token string in a Map of its own.
 */

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
 * Interns token strings. Ids are dense from 0, so a reader keeps what it knows of a token in
 * an array indexed by id. When more than `capacity` tokens were seen, the ids are forgotten
 * before the next batch and `generation` changes: a reader that kept anything by id for an
 * older generation must forget it.
 *
 * @example
 * const ids = new TokenIds();
 * const lists = ids.internAll([["fast", "text"], ["text"]]);
 * lists.ids; // Int32Array [0, 1, 1]
 * lists.starts; // Int32Array [0, 2, 3]
 * ids.token(1); // "text"
 */
export class TokenIds {
  private readonly byToken = new Map<string, number>();
  private readonly tokens: string[] = [];
  private current = 0;

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
    if (this.tokens.length >= this.capacity) {
      this.byToken.clear();
      this.tokens.length = 0;
      this.current++;
    }
    let total = 0;
    for (const list of lists) total += list.length;
    const ids = new Int32Array(total);
    const starts = new Int32Array(lists.length + 1);
    const { byToken, tokens } = this;
    let at = 0;
    for (let j = 0; j < lists.length; j++) {
      starts[j] = at;
      for (const token of lists[j] ?? []) {
        let id = byToken.get(token);
        if (id === undefined) {
          id = tokens.length;
          tokens.push(token);
          byToken.set(token, id);
        }
        ids[at++] = id;
      }
    }
    starts[lists.length] = at;
    return { ids, starts, source: this };
  }
}
