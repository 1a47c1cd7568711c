/**
 * Generated tagged data with many entity types, for measuring how training time grows
 * with the number of labels (bench:tag --generated 10,40,120). Shaped like slot filling
 * (ATIS, SNIPS): short requests in which each slot type has its own cue words ("from",
 * "arriving at") and its own values, some values shared by two types so that only the
 * cue tells them apart, some numeric; the test set has values never seen in training, so
 * a tagger must read the context and the shape of a word, not only remember values.
 *
 * The words are made-up syllable strings: this measures speed and the use of context at a
 * given label count, not quality on any language.
 */
import { Random } from "../src/core/index.ts";
import { type TaggedDataset, type TaggedSentence, taggedDatasetFromSentences } from "../src/data/index.ts";

const SYLLABLES = "ka ri to me su na lo pe vi da gu zo ha ni be ku ma te ro fi".split(" ");

function pseudoWord(rng: Random, syllables: number): string {
  let w = "";
  for (let i = 0; i < syllables; i++) w += SYLLABLES[rng.int(SYLLABLES.length)];
  return w;
}

interface SlotType {
  name: string;
  cues: string[];
  values: string[][];
  /** Values of the test set only. */
  unseen: string[][];
}

function slotValue(rng: Random, k: number): string[] {
  if (k % 5 === 0) return [String(1 + rng.int(k % 10 === 0 ? 31 : 2400))];
  const words = 1 + rng.int(3);
  const capital = k % 3 !== 0;
  return Array.from({ length: words }, () => {
    const w = pseudoWord(rng, 2 + rng.int(2));
    return capital ? w[0]!.toUpperCase() + w.slice(1) : w;
  });
}

function slotTypes(rng: Random, count: number): SlotType[] {
  const types: SlotType[] = [];
  for (let k = 0; k < count; k++) {
    types.push({
      name: `slot${String(k).padStart(3, "0")}`,
      cues: Array.from({ length: 3 }, () => pseudoWord(rng, 2)),
      values: Array.from({ length: 30 }, () => slotValue(rng, k)),
      unseen: Array.from({ length: 10 }, () => slotValue(rng, k)),
    });
  }
  // A quarter of each type's values are also another type's: only the cue separates them.
  for (let k = 0; k < count; k++) {
    const other = types[(k + 1) % count]!;
    for (let v = 0; v < 8; v++) types[k]!.values[v] = other.values[v + 10]!;
  }
  return types;
}

function generatedSentence(
  rng: Random,
  types: SlotType[],
  filler: string[],
  test: boolean,
  line: number,
): TaggedSentence {
  const tokens: string[] = [];
  const tags: string[] = [];
  const slots = 1 + rng.int(3);
  const words = () => {
    for (let i = rng.int(3); i > 0; i--) {
      tokens.push(filler[rng.int(filler.length)]!);
      tags.push("O");
    }
  };
  words();
  for (let s = 0; s < slots; s++) {
    const type = types[rng.int(types.length)]!;
    tokens.push(rng.next() < 0.9 ? type.cues[rng.int(type.cues.length)]! : filler[rng.int(filler.length)]!);
    tags.push("O");
    const pool = test && rng.next() < 0.2 ? type.unseen : type.values;
    const value = pool[rng.int(pool.length)]!;
    for (let i = 0; i < value.length; i++) {
      tokens.push(value[i]!);
      tags.push(`${i === 0 ? "B" : "I"}-${type.name}`);
    }
    words();
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let text = "";
  for (const t of tokens) {
    if (text.length > 0) text += " ";
    starts.push(text.length);
    text += t;
    ends.push(text.length);
  }
  return { tokens, tags, line, text, starts, ends };
}

/** Train (4,500 sentences), dev (500) and test (1,000) sets with `count` slot types. */
export function generatedTaggedSets(
  count: number,
  seed = 1,
): { train: TaggedDataset; dev: TaggedDataset; test: TaggedDataset } {
  const rng = new Random(seed * 1000 + count);
  const types = slotTypes(rng, count);
  const filler = Array.from({ length: 300 }, () => pseudoWord(rng, 1 + rng.int(3)));
  const make = (name: string, n: number, test: boolean) =>
    taggedDatasetFromSentences(
      `generated-${count}/${name}`,
      "conll",
      "bio",
      "en",
      Array.from({ length: n }, (_, i) => generatedSentence(rng, types, filler, test, i + 1)),
    );
  return { train: make("train", 4500, false), dev: make("dev", 500, true), test: make("test", 1000, true) };
}
