/** Viterbi over encoded sentences during training, and the dev set's entity F1. */
import { convertTags } from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import { type EntityReport, entityReport } from "../../eval/index.ts";
import { addEmissions, type EncodedSentences } from "./encode.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import type { TagSet } from "./tag-set.ts";
import { transitionBounds, ViterbiScratch, viterbi } from "./viterbi.ts";

/** Viterbi over encoded sentences, with its buffers. */
export class Decoder {
  private readonly tagSet: TagSet;
  private readonly scratch = new ViterbiScratch();
  private emit = new Float64Array(0);
  private path = new Int32Array(0);

  constructor(tagSet: TagSet) {
    this.tagSet = tagSet;
  }

  /** The best path of tokens first..first+n (a view into a reused buffer). */
  decode(
    encoded: Omit<EncodedSentences, "gold">,
    first: number,
    n: number,
    w: TaggerWeights,
    bound: Float32Array,
  ): Int32Array {
    const T = this.tagSet.tags.length;
    if (this.emit.length < n * T) this.emit = new Float64Array(n * T * 2);
    if (this.path.length < n) this.path = new Int32Array(n * 2);
    addEmissions(encoded, first, n, w.emit, T, this.emit, w.dense);
    viterbi(this.tagSet, n, this.emit, w, this.path, this.scratch, bound);
    return this.path;
  }

  /** Strict entity F1 of `w` on held-out sentences. */
  score(data: TaggedDataset, encoded: Omit<EncodedSentences, "gold">, w: TaggerWeights): EntityReport {
    const predictions: string[][] = [];
    const tags = this.tagSet.tags;
    const bound = transitionBounds(this.tagSet, w.trans);
    for (let s = 0; s + 1 < encoded.sentenceStart.length; s++) {
      const first = encoded.sentenceStart[s] ?? 0;
      const n = (encoded.sentenceStart[s + 1] ?? 0) - first;
      const path = this.decode(encoded, first, n, w, bound);
      const internal = Array.from(path.subarray(0, n), (t) => tags[t] ?? "O");
      predictions.push(this.tagSet.scheme === "bio" ? internal : convertTags(internal, "bioes", "bio"));
    }
    const truth = data.sentences.map((s) => s.tags);
    return entityReport(truth, predictions, { scheme: "bio", mode: "strict" });
  }
}
