/**
 * A long-document topic set built from CLINC150, since no newsgroup-style corpus is in
 * ../shared/data: each of `classes` topics owns a few intents, and a document is a log of
 * `utterances` requests of which only `signal` (a fraction) come from its topic's intents;
 * the rest are drawn from every intent. Like newsgroup posts, documents are long (about
 * nine words per utterance), share most of their vocabulary across classes, and carry their
 * topic in a minority of their words. Train documents use CLINC150's train utterances, test
 * documents its test utterances, so no sentence is in both.
 */
import { type Dataset, datasetFromExamples, type Example, Random } from "../src/index.ts";
import type { Clinc150 } from "./common.ts";

export interface LongDocumentSpec {
  classes: number;
  intentsPerClass: number;
  trainPerClass: number;
  testPerClass: number;
  utterances: number;
  signal: number;
  seed: number;
}

export const LONG_DOCUMENTS: LongDocumentSpec = {
  classes: 20,
  intentsPerClass: 7,
  trainPerClass: 50,
  testPerClass: 25,
  utterances: 120,
  signal: 0.1,
  seed: 1,
};

/** Train and test documents as the spec says, deterministic for its seed. */
export function longDocuments(
  clinc: Clinc150,
  spec: LongDocumentSpec = LONG_DOCUMENTS,
): { train: Dataset; test: Dataset } {
  const rng = new Random(spec.seed);
  const byIntent = (part: Dataset): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const e of part.examples) {
      const list = map.get(e.labels[0]!) ?? [];
      list.push(e.text);
      map.set(e.labels[0]!, list);
    }
    return map;
  };
  const trainTexts = byIntent(clinc.part("train"));
  const testTexts = byIntent(clinc.part("test"));
  const intents = [...trainTexts.keys()].sort();
  rng.shuffle(intents);
  const classes = Array.from({ length: spec.classes }, (_, c) =>
    intents.slice(c * spec.intentsPerClass, (c + 1) * spec.intentsPerClass),
  );
  const make = (texts: Map<string, string[]>, perClass: number, name: string): Dataset => {
    const examples: Example[] = [];
    for (let i = 0; i < perClass; i++) {
      for (let c = 0; c < spec.classes; c++) {
        const own = classes[c]!;
        const parts: string[] = [];
        for (let u = 0; u < spec.utterances; u++) {
          const intent =
            rng.next() < spec.signal ? own[rng.int(own.length)]! : intents[rng.int(intents.length)]!;
          const pool = texts.get(intent)!;
          parts.push(pool[rng.int(pool.length)]!);
        }
        examples.push({
          text: parts.join(". "),
          labels: [`topic${String(c).padStart(2, "0")}`],
          line: examples.length + 1,
        });
      }
    }
    return datasetFromExamples(`long-documents#${name}`, examples);
  };
  return {
    train: make(trainTexts, spec.trainPerClass, "train"),
    test: make(testTexts, spec.testPerClass, "test"),
  };
}
