/**
 * The k best of many scored documents without sorting them all: a bounded min-heap on
 * typed arrays, so that offering a document allocates nothing. Ties go to the lower
 * document number, so results never depend on the order documents were offered in.
 */
export class TopK {
  private docs: Int32Array;
  private scores: Float64Array;
  private size = 0;
  private limit: number;

  constructor(k: number) {
    this.limit = Math.max(0, k);
    this.docs = new Int32Array(this.limit);
    this.scores = new Float64Array(this.limit);
  }

  /** Empties the heap and sets how many it keeps, for the next query (grows its arrays when needed). */
  reset(k: number): void {
    this.limit = Math.max(0, k);
    if (this.limit > this.docs.length) {
      this.docs = new Int32Array(this.limit);
      this.scores = new Float64Array(this.limit);
    }
    this.size = 0;
  }

  get length(): number {
    return this.size;
  }

  /** True when (score a, doc a) ranks below (score b, doc b). */
  private static below(sa: number, da: number, sb: number, db: number): boolean {
    return sa < sb || (sa === sb && da > db);
  }

  /**
   * Offers a document; it is kept while it is among the k best offered so far.
   *
   * @example
   * const top = new TopK(2);
   * top.offer(0, 0.5); top.offer(1, 0.9); top.offer(2, 0.1);
   * top.drain(); // [{ doc: 1, score: 0.9 }, { doc: 0, score: 0.5 }]
   */
  offer(doc: number, score: number): void {
    const { docs, scores } = this;
    if (this.size < this.limit) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!TopK.below(score, doc, scores[parent]!, docs[parent]!)) break;
        docs[i] = docs[parent]!;
        scores[i] = scores[parent]!;
        i = parent;
      }
      docs[i] = doc;
      scores[i] = score;
      return;
    }
    if (this.limit === 0 || !TopK.below(scores[0]!, docs[0]!, score, doc)) return;
    // Replace the worst kept (the root) and sift down.
    let i = 0;
    const n = this.size;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && TopK.below(scores[right]!, docs[right]!, scores[left]!, docs[left]!)) child = right;
      if (!TopK.below(scores[child]!, docs[child]!, score, doc)) break;
      docs[i] = docs[child]!;
      scores[i] = scores[child]!;
      i = child;
    }
    docs[i] = doc;
    scores[i] = score;
  }

  /** The kept documents, best first; the heap is empty afterwards. */
  drain(): { doc: number; score: number }[] {
    const out: { doc: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ doc: this.docs[i]!, score: this.scores[i]! });
    out.sort((a, b) => b.score - a.score || a.doc - b.doc);
    this.size = 0;
    return out;
  }
}
