/**
 * Finds every alias of every technology in a text in one pass (Aho-Corasick), however many
 * aliases the dictionary has.
 *
 * Normalisation costs nothing per document: each UTF-16 code unit is mapped to a character
 * class through one table, and the table already folds what should match alike (upper and
 * lower case, full-width and ASCII forms, every kind of space). Case-sensitive aliases ("Go",
 * "R") are matched folded and then compared with the text as written. Classes of ASCII
 * characters move through a complete transition table (one array read per character); the
 * rarer classes (Han characters and other scripts) follow the trie's edges, kept in an
 * open-addressing hash, and its failure links. A character that no alias contains sends the
 * automaton back to its root.
 *
 * An alias that begins (ends) with a letter or digit matches only where the text does not
 * continue with a letter or digit before (after) it, so "Java" is not found in "JavaScript";
 * Han characters have no such boundary ("用Rust重写" mentions Rust, "容器编排平台" mentions
 * 容器编排). Overlapping finds are settled leftmost-longest: "React Native" wins over "React".
 */
import { isCaseSensitive, normalizeAlias, type RadarDictionary } from "./dictionary.ts";

/** One alias found in a text: UTF-16 offsets, end exclusive. */
export interface Mention {
  technology: number;
  start: number;
  end: number;
}

const UNITS = 0x10000;

/** The character a code unit is folded to before matching. */
function fold(code: number): number {
  if (code >= 0xff01 && code <= 0xff5e) code -= 0xfee0; // full-width ASCII forms
  if (code === 0x3000 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xa0) return 0x20;
  if (code >= 0xd800 && code <= 0xdfff) return code;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : code;
}

function isWordUnit(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) ||
    (code >= 0xff10 && code <= 0xff19) ||
    (code >= 0xff21 && code <= 0xff3a) ||
    (code >= 0xff41 && code <= 0xff5a)
  );
}

interface Pattern {
  technology: number;
  text: string;
  caseSensitive: boolean;
}

/** The aliases' trie over character classes: each state's edges, the pattern ending there, and per-pattern facts. */
function buildTrie(patterns: readonly Pattern[], classOf: Uint16Array, wordUnit: Uint8Array) {
  const edges: Map<number, number>[] = [new Map()];
  const stateOutput: number[] = [-1];
  const patternLength = new Int32Array(patterns.length);
  const leftBoundary = new Uint8Array(patterns.length);
  const rightBoundary = new Uint8Array(patterns.length);
  const caseSensitive = new Uint8Array(patterns.length);
  for (const [id, p] of patterns.entries()) {
    let s = 0;
    for (let i = 0; i < p.text.length; i++) {
      const c = classOf[p.text.charCodeAt(i)] ?? 0;
      const from = edges[s] ?? new Map<number, number>();
      let next = from.get(c);
      if (next === undefined) {
        next = edges.length;
        edges.push(new Map());
        stateOutput.push(-1);
        from.set(c, next);
      }
      s = next;
    }
    // Two aliases that fold alike (only possible when one is case-sensitive) keep the first.
    if (stateOutput[s] === -1) stateOutput[s] = id;
    patternLength[id] = p.text.length;
    leftBoundary[id] = wordUnit[p.text.charCodeAt(0)] ?? 0;
    rightBoundary[id] = wordUnit[p.text.charCodeAt(p.text.length - 1)] ?? 0;
    caseSensitive[id] = p.caseSensitive ? 1 : 0;
  }
  return { edges, stateOutput, patternLength, leftBoundary, rightBoundary, caseSensitive };
}

/** Breadth-first over the trie: failure links, dictionary links and the dense transition table. */
function linkStates(edges: readonly Map<number, number>[], stateOutput: readonly number[], dense: number) {
  const states = edges.length;
  const output = Int32Array.from(stateOutput);
  const fail = new Int32Array(states);
  const dictLink = new Int32Array(states).fill(-1);
  const delta = new Int32Array(states * dense);
  const queue = [0];
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] ?? 0;
    const f = fail[s] ?? 0;
    const out = edges[s] ?? new Map<number, number>();
    for (let c = 1; c < dense; c++) {
      const child = out.get(c);
      delta[s * dense + c] = child ?? (s === 0 ? 0 : (delta[f * dense + c] ?? 0));
    }
    for (const [c, child] of out) {
      let g = f;
      let target = 0;
      if (s !== 0) {
        for (;;) {
          const next = edges[g]?.get(c);
          if (next !== undefined) {
            target = next;
            break;
          }
          if (g === 0) break;
          g = fail[g] ?? 0;
        }
      }
      fail[child] = target;
      dictLink[child] = (output[target] ?? -1) >= 0 ? target : (dictLink[target] ?? -1);
      queue.push(child);
    }
  }
  return { output, fail, dictLink, delta };
}

/** The sparse edges (classes at or above `dense`) in an open-addressing hash keyed by state x classes + class. */
function hashSparseEdges(edges: readonly Map<number, number>[], dense: number, classes: number) {
  let sparse = 0;
  for (const e of edges) for (const c of e.keys()) if (c >= dense) sparse++;
  let size = 16;
  while (size < sparse * 2) size *= 2;
  const keys = new Int32Array(size).fill(-1);
  const values = new Int32Array(size);
  const mask = size - 1;
  for (const [s, e] of edges.entries()) {
    for (const [c, child] of e) {
      if (c < dense) continue;
      const key = s * classes + c;
      let h = Math.imul(key, 0x9e3779b1) >>> 0;
      for (;;) {
        const slot = h & mask;
        if (keys[slot] === -1) {
          keys[slot] = key;
          values[slot] = child;
          break;
        }
        h++;
      }
    }
  }
  return { keys, values, mask };
}

/**
 * The compiled dictionary. Not safe to share between concurrent scans (it reuses buffers);
 * one per worker.
 *
 * @example
 * const m = new MentionMatcher(dictionary);
 * m.technologiesIn("We moved to K8S and 容器编排 last year"); // [id of Kubernetes]
 */
export class MentionMatcher {
  private readonly classOf = new Uint16Array(UNITS);
  private readonly wordUnit = new Uint8Array(UNITS);
  /** Classes below this go through `delta`; the others through the sparse edges. */
  private readonly dense: number;
  private readonly classes: number;
  private readonly delta: Int32Array;
  private readonly fail: Int32Array;
  private readonly output: Int32Array;
  private readonly dictLink: Int32Array;
  private readonly edgeKeys: Int32Array;
  private readonly edgeValues: Int32Array;
  private readonly edgeMask: number;
  private readonly patterns: Pattern[];
  private readonly patternLength: Int32Array;
  private readonly leftBoundary: Uint8Array;
  private readonly rightBoundary: Uint8Array;
  private readonly caseSensitive: Uint8Array;
  private found = new Int32Array(64 * 3);
  private kept = new Int32Array(64 * 3);
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(dictionary: Pick<RadarDictionary, "technologies">) {
    this.patterns = dictionary.technologies.flatMap((t) =>
      t.aliases.map((a) => ({
        technology: t.id,
        text: normalizeAlias(a),
        caseSensitive: isCaseSensitive(a, t.caseRule),
      })),
    );
    this.seen = new Int32Array(dictionary.technologies.length);
    for (let c = 0; c < UNITS; c++) this.wordUnit[c] = isWordUnit(c) ? 1 : 0;
    // Classes: 0 for "in no alias", ASCII folds first (the dense part), then the rest.
    const folded = new Set<number>();
    for (const p of this.patterns)
      for (let i = 0; i < p.text.length; i++) folded.add(fold(p.text.charCodeAt(i)));
    const order = [...folded].sort((a, b) => a - b);
    const classOfFold = new Map<number, number>();
    for (const [i, f] of order.entries()) classOfFold.set(f, i + 1);
    this.dense = order.filter((f) => f < 0x80).length + 1;
    this.classes = order.length + 1;
    for (let c = 0; c < UNITS; c++) this.classOf[c] = classOfFold.get(fold(c)) ?? 0;
    const trie = buildTrie(this.patterns, this.classOf, this.wordUnit);
    this.patternLength = trie.patternLength;
    this.leftBoundary = trie.leftBoundary;
    this.rightBoundary = trie.rightBoundary;
    this.caseSensitive = trie.caseSensitive;
    const links = linkStates(trie.edges, trie.stateOutput, this.dense);
    this.output = links.output;
    this.fail = links.fail;
    this.dictLink = links.dictLink;
    this.delta = links.delta;
    const sparse = hashSparseEdges(trie.edges, this.dense, this.classes);
    this.edgeKeys = sparse.keys;
    this.edgeValues = sparse.values;
    this.edgeMask = sparse.mask;
  }

  /** Number of aliases compiled. */
  get aliasCount(): number {
    return this.patterns.length;
  }

  private sparseEdge(state: number, cls: number): number {
    const key = state * this.classes + cls;
    let h = Math.imul(key, 0x9e3779b1) >>> 0;
    for (;;) {
      const slot = h & this.edgeMask;
      const k = this.edgeKeys[slot]!;
      if (k === key) return this.edgeValues[slot]!;
      if (k === -1) return -1;
      h++;
    }
  }

  private accept(text: string, pattern: number, end: number): boolean {
    const start = end - this.patternLength[pattern]!;
    if (this.leftBoundary[pattern] === 1 && start > 0 && this.wordUnit[text.charCodeAt(start - 1)] === 1)
      return false;
    if (this.rightBoundary[pattern] === 1 && end < text.length && this.wordUnit[text.charCodeAt(end)] === 1) {
      return false;
    }
    if (this.caseSensitive[pattern] === 1) {
      const alias = this.patterns[pattern]!.text;
      for (let i = 0; i < alias.length; i++)
        if (text.charCodeAt(start + i) !== alias.charCodeAt(i)) return false;
    }
    return true;
  }

  private push(pattern: number, end: number, count: number): number {
    if ((count + 1) * 3 > this.found.length) {
      const bigger = new Int32Array(this.found.length * 2);
      bigger.set(this.found);
      this.found = bigger;
    }
    this.found[count * 3] = end - this.patternLength[pattern]!;
    this.found[count * 3 + 1] = end;
    this.found[count * 3 + 2] = this.patterns[pattern]!.technology;
    return count + 1;
  }

  /** Raw finds (overlaps included) into `found`; returns their number. */
  private collect(text: string): number {
    const classOf = this.classOf;
    const delta = this.delta;
    const dense = this.dense;
    const output = this.output;
    const dictLink = this.dictLink;
    let count = 0;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = classOf[text.charCodeAt(i)]!;
      if (c === 0) {
        s = 0;
        continue;
      }
      if (c < dense) {
        s = delta[s * dense + c]!;
      } else {
        for (;;) {
          const next = this.sparseEdge(s, c);
          if (next >= 0) {
            s = next;
            break;
          }
          if (s === 0) break;
          s = this.fail[s]!;
        }
      }
      if (output[s]! < 0 && dictLink[s]! < 0) continue;
      for (let t = output[s]! >= 0 ? s : dictLink[s]!; t >= 0; t = dictLink[t]!) {
        const p = output[t]!;
        if (this.accept(text, p, i + 1)) count = this.push(p, i + 1, count);
      }
    }
    return count;
  }

  /**
   * Scans `text`; returns the number of mentions kept (leftmost-longest, no overlaps),
   * readable with `mentionAt` until the next scan. Allocates nothing for most texts.
   */
  scan(text: string): number {
    const raw = this.collect(text);
    if (this.kept.length < this.found.length) this.kept = new Int32Array(this.found.length);
    // Finds come in order of their end: without overlaps they are already in order.
    let overlap = false;
    for (let k = 1; k < raw && !overlap; k++) overlap = this.found[k * 3]! < this.found[k * 3 - 2]!;
    if (!overlap) {
      this.kept.set(this.found.subarray(0, raw * 3));
      return raw;
    }
    // Pick leftmost, then longest, skipping overlaps.
    const order = Array.from({ length: raw }, (_, k) => k).sort(
      (a, b) => this.found[a * 3]! - this.found[b * 3]! || this.found[b * 3 + 1]! - this.found[a * 3 + 1]!,
    );
    let kept = 0;
    let reach = 0;
    for (const k of order) {
      if (this.found[k * 3]! < reach) continue;
      this.kept[kept * 3] = this.found[k * 3]!;
      this.kept[kept * 3 + 1] = this.found[k * 3 + 1]!;
      this.kept[kept * 3 + 2] = this.found[k * 3 + 2]!;
      reach = this.found[k * 3 + 1]!;
      kept++;
    }
    return kept;
  }

  /** The `k`-th mention of the last scan. */
  mentionAt(k: number): Mention {
    return { technology: this.kept[k * 3 + 2]!, start: this.kept[k * 3]!, end: this.kept[k * 3 + 1]! };
  }

  /** The technology of the `k`-th mention of the last scan (no object made). */
  technologyAt(k: number): number {
    return this.kept[k * 3 + 2]!;
  }

  /** Every mention in `text`, in order. */
  mentions(text: string): Mention[] {
    const n = this.scan(text);
    return Array.from({ length: n }, (_, k) => this.mentionAt(k));
  }

  /** The technologies `text` mentions, each once, in order of first mention. */
  technologiesIn(text: string): number[] {
    const n = this.scan(text);
    this.stamp++;
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const t = this.kept[k * 3 + 2]!;
      if (this.seen[t] === this.stamp) continue;
      this.seen[t] = this.stamp;
      out.push(t);
    }
    return out;
  }
}
