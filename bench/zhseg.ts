/**
 * npm run bench:zhseg [-- --rounds N] [--min-count N] [--docs N]
 *
 * textkit's dictionary segmenter against Intl.Segmenter (its peer, and the source of its
 * dictionary) on the same texts in one run: speed in characters a second, and how often the
 * two agree on the words.
 *
 * Data: ChnSentiCorp (the split bench:classify uses: dictionary from the training 80%,
 * measured on the test 10%), and the Chinese rows of samples/monitor and samples/support-zh
 * (dictionary from train.csv, measured on test.csv). Texts are normalised as the classifier
 * reads them (NFKC, lower case). Agreement: precision and recall of the word spans of the
 * Tokenizer with the dictionary (two or more unknown characters in a row go to Intl.Segmenter)
 * against Intl.Segmenter's over the same Han runs, and the share of runs split alike.
 * Speed: (1) the segmenters alone over the Han runs (Intl.Segmenter's segment() against
 * DictionarySegmenter.cut), (2) the whole Tokenizer over whole texts, both ways, (3) the
 * monitor's pipeline alone (as in bench:monitor) with the demo's two models trained with
 * each segmenter, in turns over the same --docs documents (default 20,000), CPU µs a document.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  DocumentPipeline,
  loadDirectoryModels,
  type MonitorDocumentInput,
  resolveMonitorConfig,
  TermExtractor,
} from "../src/apps/monitor/index.ts";
import { loadDataset, stratifiedSplit } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";
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

function agreement(runs: string[], intl: Intl.Segmenter, split: (run: string) => string[]) {
  let both = 0;
  let ours = 0;
  let theirs = 0;
  let same = 0;
  for (const run of runs) {
    const a = spans(split(run));
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

/**
 * The monitor's terms (8 a document, as its default) of the Chinese stream documents, from
 * Intl.Segmenter's tokens and from the dictionary's (learned from samples/monitor/train.csv).
 */
function termsRows(dict: DictionarySegmenter, rounds: number): (string | number)[][] {
  const docs = readFileSync(join(ROOT, "samples", "monitor", "stream.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as { title?: string; text: string })
    .map((d) => normalize(d.title === undefined ? d.text : `${d.title}\n${d.text}`))
    .filter((t) => /\p{Script=Han}/u.test(t));
  const extractor = new TermExtractor(8);
  const rows: (string | number)[][] = [];
  const intlTerms = new Map<string, number>();
  const ways = [
    ["Intl.Segmenter", new Tokenizer()],
    ["dictionary", new Tokenizer("zh", dict)],
  ] as const;
  let shared = 0;
  for (const [name, tokenizer] of ways) {
    const counts = new Map<string, number>();
    let all = 0;
    for (const d of docs) {
      for (const t of extractor.fromTokens(tokenizer.tokenize(d))) {
        counts.set(t, (counts.get(t) ?? 0) + 1);
        all++;
      }
    }
    if (name === "Intl.Segmenter") for (const [t, c] of counts) intlTerms.set(t, c);
    else for (const [t, c] of counts) shared += Math.min(c, intlTerms.get(t) ?? 0);
    const seconds = timed(rounds, () => {
      for (const d of docs) extractor.fromTokens(tokenizer.tokenize(d));
    });
    const top = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([t, c]) => `${t} ${c}`);
    rows.push([
      name,
      fmt.int(docs.length),
      fmt.int(all),
      fmt.int(counts.size),
      ((seconds * 1e6) / docs.length).toFixed(2),
      top.join(", "),
    ]);
  }
  const intlAll = [...intlTerms.values()].reduce((a, b) => a + b, 0);
  rows.push([
    "both (term occurrences in common)",
    "",
    fmt.int(shared),
    `${fmt.pct(shared / intlAll)} % of Intl's`,
    "",
    "",
  ]);
  return rows;
}

/** The monitor's sample documents (CSV rows and the stream), repeated to `n` with distinct ids. */
async function monitorDocuments(n: number): Promise<MonitorDocumentInput[]> {
  const pool: { title?: string; text: string }[] = [];
  for (const part of ["train.csv", "dev.csv", "test.csv"]) {
    const set = await loadDataset(join(ROOT, "samples", "monitor", part), { labelColumn: "topic" });
    for (const e of set.examples) pool.push({ text: e.text });
  }
  for (const line of readFileSync(join(ROOT, "samples", "monitor", "stream.jsonl"), "utf8")
    .trim()
    .split("\n"))
    pool.push(JSON.parse(line) as { title: string; text: string });
  const start = Date.parse("2026-11-30T00:00:00Z");
  return Array.from({ length: n }, (_, i) => ({
    ...(pool[i % pool.length] ?? { text: "" }),
    id: `d${i}`,
    source: "bench",
    publishedAt: start + i,
  }));
}

/**
 * The monitor's pipeline alone (key, language, topic, sentiment, terms) with the demo's two
 * models trained each way, in turns over the same documents: CPU µs a document, best round.
 */
async function monitorRows(docs: number, rounds: number): Promise<(string | number)[][]> {
  const config = resolveMonitorConfig({
    models: { topic: "monitor-topic", sentiment: "monitor-sentiment" },
    rules: [{ id: "neg", kind: "negative_share", window: "1h" }],
    batchSize: 500,
  });
  const inputs = await monitorDocuments(docs);
  const root = mkdtempSync(join(tmpdir(), "textkit-zhseg-"));
  try {
    const pipelines: [string, DocumentPipeline][] = [];
    for (const segmenter of ["intl", "dictionary"] as const) {
      for (const [name, labelColumn] of [
        ["monitor-topic", "topic"],
        ["monitor-sentiment", "sentiment"],
      ] as const) {
        const train = await loadDataset(join(ROOT, "samples", "monitor", "train.csv"), { labelColumn });
        const options = JSON.parse(readFileSync(join(ROOT, "samples", name, "sample.json"), "utf8")).options;
        const model = await trainClassifier({ train }, { ...options, seed: 1, segmenter });
        await model.save(join(root, segmenter, name));
      }
      const source = await loadDirectoryModels(join(root, segmenter), config);
      pipelines.push([segmenter, new DocumentPipeline(config, source)]);
    }
    const best = new Map<string, number>();
    for (let r = 0; r < rounds; r++) {
      for (const [name, pipeline] of pipelines) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < inputs.length; i += 500)
          await pipeline.enrich(inputs.slice(i, i + 500), Date.now());
        const u = process.cpuUsage(c0);
        const us = (u.user + u.system) / inputs.length;
        best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, us));
      }
    }
    const intl = best.get("intl") ?? Number.NaN;
    return [...best].map(([name, us]) => [
      `pipeline alone, models with segmenter ${name}`,
      fmt.int(inputs.length),
      us.toFixed(1),
      fmt.int(1e6 / us),
      fmt.ratio(intl / us),
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Speed rows of one corpus: the segmenters alone over its Han runs, then whole texts through the Tokenizer. */
function speedRows(
  c: Corpus,
  runs: string[],
  dict: DictionarySegmenter,
  rounds: number,
): (string | number)[][] {
  const intl = new Intl.Segmenter("zh", { granularity: "word" });
  const intlTokenizer = new Tokenizer();
  const dictTokenizer = new Tokenizer("zh", dict);
  const runChars = runs.reduce((s, r) => s + r.length, 0);
  const textChars = c.test.reduce((s, t) => s + t.length, 0);
  let sink = 0;
  const intlRuns = timed(rounds, () => {
    for (const r of runs) for (const _ of intl.segment(r)) sink++;
  });
  const dictRuns = timed(rounds, () => {
    for (const r of runs) sink += dict.cut(r, 0, r.length);
  });
  const intlTexts = timed(rounds, () => {
    for (const t of c.test) sink += intlTokenizer.tokenize(t).length;
  });
  const dictTexts = timed(rounds, () => {
    for (const t of c.test) sink += dictTokenizer.tokenize(t).length;
  });
  if (sink < 0) console.log(sink);
  const rows: (string | number)[][] = [];
  const row = (what: string, chars: number, s: number, peer: number) => [
    c.name,
    what,
    fmt.int(chars / s),
    fmt.int(c.test.length / (what.includes("Tokenizer") ? s : Number.NaN)),
    fmt.ratio(peer / s),
  ];
  rows.push(row("Intl.Segmenter, Han runs", runChars, intlRuns, intlRuns));
  rows.push(row("DictionarySegmenter.cut, Han runs", runChars, dictRuns, intlRuns));
  rows.push(row("Tokenizer (Intl), whole texts", textChars, intlTexts, intlTexts));
  rows.push(row("Tokenizer (dictionary), whole texts", textChars, dictTexts, intlTexts));
  return rows;
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
  let terms: (string | number)[][] = [];
  for (const c of await corpora()) {
    const dict = DictionarySegmenter.fromTokens(
      c.train.map((t) => intlTokenizer.tokenize(t)),
      minCount,
    );
    if (dict === null) continue;
    const runs = c.test.flatMap((t) => t.match(HAN_RUN) ?? []);
    const dictTokenizer = new Tokenizer("zh", dict);
    const a = agreement(runs, intl, (run) => dictTokenizer.tokenize(run));
    quality.push([
      c.name,
      fmt.int(dict.size),
      fmt.int(runs.length),
      fmt.pct(a.precision),
      fmt.pct(a.recall),
      fmt.pct(a.sameRuns),
    ]);
    speed.push(...speedRows(c, runs, dict, rounds));
    if (c.name === "samples/monitor") terms = termsRows(dict, rounds);
  }
  const monitor = await monitorRows(numberArgument("--docs", 20_000), rounds);
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
    `## The monitor's pipeline (samples/monitor documents, ${rounds} rounds in turns, best)`,
    "",
    markdownTable(["what", "docs", "CPU µs/doc", "docs/s of CPU", "vs intl"], monitor),
    "",
    "## The monitor's terms of the Chinese documents of samples/monitor/stream.jsonl",
    "",
    markdownTable(
      [
        "tokens from",
        "documents",
        "term occurrences",
        "distinct terms",
        "µs a document (tokenise + terms)",
        "most frequent",
      ],
      terms,
    ),
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
