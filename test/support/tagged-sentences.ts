/** Tagged sentences for the tagger's tests: "Word/TAG" specs and a synthetic people/cities/companies set. */
import { Random } from "../../src/core/index.ts";
import type { TaggedDataset, TaggedSentence } from "../../src/data/index.ts";

/** A sentence from "Word/TAG" items; text is the words joined by spaces. */
export function sentence(spec: string, line = 1): TaggedSentence {
  const tokens: string[] = [];
  const tags: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let text = "";
  for (const item of spec.split(" ")) {
    const slash = item.lastIndexOf("/");
    const token = slash > 0 ? item.slice(0, slash) : item;
    if (text.length > 0) text += " ";
    starts.push(text.length);
    text += token;
    ends.push(text.length);
    tokens.push(token);
    tags.push(slash > 0 ? item.slice(slash + 1) : "O");
  }
  return { tokens, tags, line, text, starts, ends };
}

export function dataset(sentences: TaggedSentence[], language: "en" | "zh" = "en"): TaggedDataset {
  const types = new Set<string>();
  for (const s of sentences) for (const t of s.tags) if (t !== "O") types.add(t.slice(2));
  return { source: "inline", format: "conll", scheme: "bio", language, sentences, types: [...types].sort() };
}

export const PEOPLE = [
  "Alice Smith",
  "Bob Jones",
  "Carol White",
  "Dan Brown",
  "Eve Black",
  "Frank Green",
  "Grace Hall",
  "Henry Ford",
];
export const CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Oslo", "Lisbon", "Prague"];
const ORGS = ["Acme Corp", "Globex Inc", "Initech Ltd", "Umbrella Corp", "Hooli Inc", "Vandelay Ltd"];

/** Sentences with people, cities and companies in varied frames. */
export function synthetic(count: number, seed: number): TaggedSentence[] {
  const rng = new Random(seed);
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)]!;
  const tagged = (name: string, type: string) =>
    name
      .split(" ")
      .map((w, i) => `${w}/${i === 0 ? "B" : "I"}-${type}`)
      .join(" ");
  const frames = [
    () => `${tagged(pick(PEOPLE), "PER")} flew to ${tagged(pick(CITIES), "LOC")} on Monday .`,
    () => `${tagged(pick(ORGS), "ORG")} hired ${tagged(pick(PEOPLE), "PER")} last year .`,
    () => `In ${tagged(pick(CITIES), "LOC")} , ${tagged(pick(ORGS), "ORG")} opened an office .`,
    () => `the weather was fine and nobody complained .`,
    () => `${tagged(pick(PEOPLE), "PER")} said ${tagged(pick(ORGS), "ORG")} will grow .`,
  ];
  return Array.from({ length: count }, (_, i) => sentence(pick(frames)(), i + 1));
}
