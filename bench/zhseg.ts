/**
 * npm run bench:zhseg [-- --rounds N] [-- --min-count N]
 *
 * textkit's dictionary segmenter against Intl.Segmenter (its peer, and the source of its
 * dictionary) on the same texts in one run: speed in characters a second, and how often the
 * two agree on the words.
 *
 * Data: ChnSentiCorp (the split bench:classify uses: dictionary from the training 80%,
 * measured on the test 10%), and the Chinese rows of samples/monitor and samples/support-zh
 * (dictionary from train.csv, measured on test.csv). Texts are normalised as the classifier
 * reads them (NFKC, lower case). Agreement: precision and recall of the dictionary's word
 * spans against Intl.Segmenter's over the same Han runs, and the share of runs split alike.
 * Speed: (1) the segmenters alone over the Han runs (Intl.Segmenter's segment() against
 * DictionarySegmenter.cut), (2) the whole Tokenizer over whole texts, both ways.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadDataset, stratifiedSplit } from "../src/data/index.ts";
import { DictionarySegmenter, normalizeText, Tokenizer } from "../src/text/index.ts";
import {
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  SHARED_DATA,
  today,
  writeResult,
} from "./common.ts";

interface Corpus {
  name: string;
  train: string[];
  test: string[];
}

const normalize = (t: string): string => normalizeText(t, { form: "NFKC", lowercase: true });
const HAN_RUN = /\p{Script=Han}{2,}/gu;

async function corpora(): Promise<Corpus[]> {
  const out: Corpus[] = [];
  try {
    const all = await loadDataset(join(SHARED_DATA, "chnsenticorp", "ChnSentiCorp_htl_all.csv"), {
      header: false,
      labelColumn: "1",
      textColumn: "2",
      skipEmptyText: true,
    });
    const { train, test } = stratifiedSplit(all, { dev: 0.1, test: 0.1, seed: 1 });
    const texts = (d: typeof train) => d.examples.map((e) => normalize(e.text));
    out.push({ name: "ChnSentiCorp", train: texts(train), test: texts(test) });
  } catch {
    console.log("ChnSentiCorp not found under ../shared/data: skipped");
  }
  for (const [name, labelColumn] of [
    ["monitor", "topic"],
    ["support-zh", "label"],
  ] as const) {
    const read = async (file: string) =>
      (await loadDataset(join(ROOT, "samples", name, file), { labelColumn })).examples
        .map((e) => normalize(e.text))
        .filter((t) => /\p{Script=Han}/u.test(t));
    out.push({ name: `samples/${name}`, train: await read("train.csv"), test: await read("test.csv") });
  }
  return out;
}

/** Word spans of each run as "start:end" keys, for the agreement counts. */
function spans(words: Iterable<string>): string[] {
  const keys: string[] = [];
  let at = 0;
  for (const w of words) {
    keys.push(`${at}:${at + w.length}`);
    at += w.length;
  }
  return keys;
}

function agreement(runs: string[], intl: Intl.Segmenter, dict: DictionarySegmenter) {
  let both = 0;
  let ours = 0;
  let theirs = 0;
  let same = 0;
  for (const run of runs) {
    const a = spans(dict.segment(run));
    const b = new Set(spans([...intl.segment(run)].map((s) => s.segment)));
    let hit = 0;
    for (const key of a) if (b.has(key)) hit++;
    both += hit;
    ours += a.length;
    theirs += b.size;
    if (hit === a.length && hit === b.size) same++;
  }
  return { precision: both / ours, recall: both / theirs, sameRuns: same / runs.length };
}

/** Best of `rounds` timings of fn, in seconds. */
function timed(rounds: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

async function main(): Promise<void> {
  const rounds = numberArgument("--rounds", 5);
  const minCount = numberArgument("--min-count", 1);
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  const intlTokenizer = new Tokenizer();
  const intl = new Intl.Segmenter("zh", { granularity: "word" });
  const quality: (string | number)[][] = [];
  const speed: (string | number)[][] = [];
  for (const c of await corpora()) {
    const dict = DictionarySegmenter.fromTokens(
      c.train.map((t) => intlTokenizer.tokenize(t)),
      minCount,
    );
    if (dict === null) continue;
    const runs = c.test.flatMap((t) => t.match(HAN_RUN) ?? []);
    const a = agreement(runs, intl, dict);
    quality.push([
      c.name,
      fmt.int(dict.size),
      fmt.int(runs.length),
      fmt.pct(a.precision),
      fmt.pct(a.recall),
      fmt.pct(a.sameRuns),
    ]);
    const runChars = runs.reduce((s, r) => s + r.length, 0);
    const textChars = c.test.reduce((s, t) => s + t.length, 0);
    let sink = 0;
    const intlRuns = timed(rounds, () => {
      for (const r of runs) for (const _ of intl.segment(r)) sink++;
    });
    const dictRuns = timed(rounds, () => {
      for (const r of runs) sink += dict.cut(r, 0, r.length);
    });
    const dictTokenizer = new Tokenizer("zh", dict);
    const intlTexts = timed(rounds, () => {
      for (const t of c.test) sink += intlTokenizer.tokenize(t).length;
    });
    const dictTexts = timed(rounds, () => {
      for (const t of c.test) sink += dictTokenizer.tokenize(t).length;
    });
    if (sink < 0) console.log(sink);
    const row = (what: string, chars: number, s: number, peer: number) => [
      c.name,
      what,
      fmt.int(chars / s),
      fmt.int(c.test.length / (what.includes("Tokenizer") ? s : Number.NaN)),
      fmt.ratio(peer / s),
    ];
    speed.push(row("Intl.Segmenter, Han runs", runChars, intlRuns, intlRuns));
    speed.push(row("DictionarySegmenter.cut, Han runs", runChars, dictRuns, intlRuns));
    speed.push(row("Tokenizer (Intl), whole texts", textChars, intlTexts, intlTexts));
    speed.push(row("Tokenizer (dictionary), whole texts", textChars, dictTexts, intlTexts));
  }
  const body = [
    `# bench:zhseg (${today()})`,
    "",
    `Machine: ${machine()}. Load average at start: ${load}. Best of ${rounds} rounds; dictionary min count ${minCount}.`,
    "",
    "## Agreement with Intl.Segmenter on the test texts' Han runs (dictionary from the training texts)",
    "",
    markdownTable(
      ["corpus", "dictionary words", "Han runs", "word precision %", "word recall %", "runs split alike %"],
      quality,
    ),
    "",
    "## Speed",
    "",
    markdownTable(["corpus", "what", "chars/s", "docs/s", "vs Intl"], speed),
    "",
    `Load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}.`,
    "",
  ].join("\n");
  console.log(body);
  console.log(`written to ${writeResult("zhseg", body)}`);
}

await main();
