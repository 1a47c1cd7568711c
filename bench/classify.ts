/**
 * npm run bench:classify [-- DATASET_DIR ...] [--quick]
 *
 * textkit's classifier beside the fastText program (Debian package `fasttext`), same data,
 * same settings, one thread each, in one run; on CLINC150 also nlp.js, the TypeScript-world
 * peer. Prints a table of accuracy, training time and prediction speed with ratios and
 * writes it to bench/results/classify-<date>.md.
 *
 * Fairness: fastText gets the text already normalised and tokenised by textkit's trained
 * model (it only splits on spaces; Chinese split by the model's own segmenter), and a training file shuffled once with a fixed seed (it does not
 * shuffle, and CLINC150's file is sorted by intent). textkit's times include its own
 * tokenisation; fastText's include reading its file and writing its model.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import {
  type ClassifierOptions,
  type Dataset,
  type Example,
  loadDataset,
  Random,
  resolveClassifierOptions,
  stratifiedSplit,
  type TextClassifier,
  trainClassifier,
} from "../src/index.ts";
import {
  createNlpJs,
  fmt,
  hasProgram,
  machine,
  markdownTable,
  readClinc150,
  SHARED_DATA,
  timeProgram,
  today,
  writeResult,
} from "./common.ts";

interface BenchSet {
  name: string;
  train: Dataset;
  test: Dataset;
  split: string;
  options: Partial<ClassifierOptions>;
}

const SETTINGS: Record<string, Partial<ClassifierOptions>> = {
  clinc150: { dim: 100, epochs: 25, lr: 0.5, wordNgrams: 1, minCount: 1 },
  sst2: { dim: 100, epochs: 5, lr: 0.5, wordNgrams: 2, minCount: 1 },
  chnsenticorp: { dim: 100, epochs: 10, lr: 0.5, wordNgrams: 2, minn: 1, maxn: 2, minCount: 1 },
};
const GENERIC_SETTINGS: Partial<ClassifierOptions> = { dim: 100, epochs: 10, lr: 0.5, wordNgrams: 2 };

async function loadSet(dir: string): Promise<BenchSet | null> {
  const name = basename(dir);
  try {
    if (name === "clinc150") {
      const clinc = readClinc150(dir);
      return {
        name,
        train: clinc.part("train"),
        test: clinc.part("test"),
        split: "published train / test (in-scope)",
        options: SETTINGS[name]!,
      };
    }
    if (name === "sst2") {
      const opts = { labelColumn: "label" };
      return {
        name,
        train: await loadDataset(join(dir, "train.tsv"), { ...opts, textColumn: "sentence" }),
        test: await loadDataset(join(dir, "dev.tsv"), { ...opts, textColumn: "content" }),
        split: "train phrases / dev sentences",
        options: SETTINGS[name]!,
      };
    }
    if (name === "chnsenticorp") {
      const all = await loadDataset(join(dir, "ChnSentiCorp_htl_all.csv"), {
        header: false,
        labelColumn: "1",
        textColumn: "2",
        skipEmptyText: true,
      });
      const { train, dev, test } = stratifiedSplit(all, { dev: 0.1, test: 0.1, seed: 1 });
      void dev;
      return {
        name,
        train,
        test,
        split: "stratified 80/10/10, seed 1 (test = 10%)",
        options: SETTINGS[name]!,
      };
    }
    // Any other folder: train.* and test.* in a format textkit reads.
    for (const ext of ["csv", "tsv", "jsonl", "txt"]) {
      try {
        return {
          name,
          train: await loadDataset(join(dir, `train.${ext}`)),
          test: await loadDataset(join(dir, `test.${ext}`)),
          split: `train.${ext} / test.${ext}`,
          options: GENERIC_SETTINGS,
        };
      } catch {
        // try the next extension
      }
    }
    console.error(`skip ${dir}: no known layout (train.* and test.*)`);
    return null;
  } catch (error) {
    console.error(`skip ${dir}: ${(error as Error).message}`);
    return null;
  }
}

interface Row {
  system: string;
  accuracy: number;
  trainSeconds: number;
  speed: number;
  predictPerSecond: number;
}

function repeatTo<T>(items: readonly T[], n: number): T[] {
  const out: T[] = [];
  while (out.length < n) out.push(...items.slice(0, n - out.length));
  return out;
}

async function runTextkit(
  set: BenchSet,
  predictTexts: string[],
  extra: Partial<ClassifierOptions> = {},
): Promise<Row & { model: TextClassifier }> {
  const t0 = performance.now();
  const model = await trainClassifier({ train: set.train }, { ...set.options, ...extra });
  const trainSeconds = (performance.now() - t0) / 1000;
  const evaluation = model.evaluate(set.test);
  const p0 = performance.now();
  model.predict(predictTexts);
  const predictSeconds = (performance.now() - p0) / 1000;
  return {
    model,
    system: extra.segmenter === undefined ? "textkit" : `textkit, segmenter ${extra.segmenter}`,
    accuracy: evaluation.accuracy,
    trainSeconds,
    speed: Number(model.runRecord?.final["tokensPerSecond"] ?? Number.NaN),
    predictPerSecond: predictTexts.length / predictSeconds,
  };
}

function fastTextLine(tokenize: (text: string) => string[], e: Example): string {
  const labels = e.labels.map((l) => `__label__${l.replace(/\s+/g, "_")}`).join(" ");
  return `${labels} ${tokenize(e.text).join(" ")}`;
}

/** fastText on the tokens textkit's model reads (its normalisation and its Chinese segmentation). */
function runFastText(set: BenchSet, predictTexts: string[], work: string, model: TextClassifier): Row {
  const o = resolveClassifierOptions(set.options);
  const featurizer = { tokens: (text: string) => model.tokenize(text) };
  const trainLines = set.train.examples.map((e) => fastTextLine(featurizer.tokens, e));
  new Random(o.seed).shuffle(trainLines);
  writeFileSync(join(work, "train.txt"), `${trainLines.join("\n")}\n`);
  const testTokens = set.test.examples.map((e) => featurizer.tokens(e.text).join(" "));
  writeFileSync(join(work, "test.txt"), `${testTokens.join("\n")}\n`);
  writeFileSync(
    join(work, "predict.txt"),
    `${predictTexts.map((t) => featurizer.tokens(t).join(" ")).join("\n")}\n`,
  );
  writeFileSync(join(work, "one.txt"), `${testTokens[0]}\n`);
  const args = ["supervised", "-input", join(work, "train.txt"), "-output", join(work, "ft")];
  args.push("-dim", `${o.dim}`, "-epoch", `${o.epochs}`, "-lr", `${o.lr}`, "-wordNgrams", `${o.wordNgrams}`);
  args.push(
    "-minn",
    `${o.minn}`,
    "-maxn",
    `${o.maxn}`,
    "-bucket",
    `${o.buckets}`,
    "-minCount",
    `${o.minCount}`,
  );
  args.push(
    "-loss",
    o.loss === "ova" ? "one-vs-all" : "softmax",
    "-thread",
    "1",
    "-seed",
    `${o.seed}`,
    "-verbose",
    "2",
  );
  const trained = timeProgram("fasttext", args);
  const rates = [...(trained.stdout + trained.stderr).matchAll(/words\/sec\/thread:\s*(\d+)/g)];
  const speed = rates.length > 0 ? Number(rates[rates.length - 1]![1]) : Number.NaN;
  const predicted = timeProgram("fasttext", ["predict", join(work, "ft.bin"), join(work, "test.txt"), "1"]);
  const labels = predicted.stdout.split("\n").filter((l) => l.length > 0);
  let correct = 0;
  set.test.examples.forEach((e, i) => {
    if (labels[i] === `__label__${e.labels[0]!.replace(/\s+/g, "_")}`) correct++;
  });
  const many = timeProgram("fasttext", ["predict", join(work, "ft.bin"), join(work, "predict.txt"), "1"]);
  const one = timeProgram("fasttext", ["predict", join(work, "ft.bin"), join(work, "one.txt"), "1"]);
  return {
    system: "fastText",
    accuracy: correct / set.test.examples.length,
    trainSeconds: trained.seconds,
    speed,
    predictPerSecond: predictTexts.length / Math.max(1e-6, many.seconds - one.seconds),
  };
}

async function runNlpJs(set: BenchSet, predictTexts: string[]): Promise<Row | null> {
  const nlp = await createNlpJs();
  if (nlp === null) {
    return null;
  }
  for (const e of set.train.examples) {
    const label = e.labels[0];
    if (label !== undefined) nlp.addDocument("en", e.text, label);
  }
  const t0 = performance.now();
  await nlp.train();
  const trainSeconds = (performance.now() - t0) / 1000;
  let correct = 0;
  for (const e of set.test.examples) if ((await nlp.process("en", e.text)).intent === e.labels[0]) correct++;
  const sample = predictTexts.slice(0, 5000);
  const p0 = performance.now();
  for (const t of sample) await nlp.process("en", t);
  return {
    system: "nlp.js",
    accuracy: correct / set.test.examples.length,
    trainSeconds,
    speed: Number.NaN,
    predictPerSecond: sample.length / ((performance.now() - p0) / 1000),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const dirs = args.filter((a) => !a.startsWith("--"));
  const targets =
    dirs.length > 0
      ? dirs.map((d) => resolve(d))
      : ["clinc150", "sst2", "chnsenticorp"].map((d) => join(SHARED_DATA, d));
  if (!hasProgram("fasttext")) {
    console.error(
      "fasttext is not installed: apt-get install fasttext. The peer is required for this benchmark.",
    );
    process.exitCode = 1;
    return;
  }
  const sections: string[] = [];
  const rows: (string | number)[][] = [];
  for (const dir of targets) {
    const set = await loadSet(dir);
    if (set === null) continue;
    if (quick) set.options = { ...set.options, epochs: Math.min(3, set.options.epochs ?? 3) };
    console.error(
      `${set.name}: ${set.train.examples.length} train, ${set.test.examples.length} test, ${set.train.labels.length} labels`,
    );
    const predictTexts = repeatTo(
      set.test.examples.map((e) => e.text),
      50_000,
    );
    const work = mkdtempSync(join(tmpdir(), "textkit-bench-"));
    try {
      const textkit = await runTextkit(set, predictTexts);
      const fastText = runFastText(set, predictTexts, work, textkit.model);
      const results: Row[] = [textkit, fastText];
      // Chinese: the same model with Intl.Segmenter on every text, against the same fastText run.
      if (textkit.model.featurizer.dictionary !== null) {
        results.push(await runTextkit(set, predictTexts, { segmenter: "intl" }));
      }
      if (set.name === "clinc150" && !quick) {
        const nlpjs = await runNlpJs(set, predictTexts);
        if (nlpjs !== null) results.push(nlpjs);
      }
      for (const r of results) {
        // Each textkit row against fastText; fastText's row: the first textkit row against it.
        const tk = r.system.startsWith("textkit") ? r : textkit;
        const peer = r === tk ? fastText : r;
        rows.push([
          set.name,
          r.system,
          fmt.pct(r.accuracy),
          fmt.s(r.trainSeconds),
          fmt.ratio(peer.trainSeconds / tk.trainSeconds),
          fmt.int(r.speed),
          fmt.int(r.predictPerSecond),
          fmt.ratio(tk.predictPerSecond / peer.predictPerSecond),
        ]);
      }
      sections.push(`- ${set.name}: ${set.split}; settings ${JSON.stringify(set.options)}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const table = markdownTable(
    [
      "data set",
      "system",
      "accuracy %",
      "train s",
      "peer train s / textkit",
      "train tokens/s",
      "predict docs/s",
      "textkit predict / peer",
    ],
    rows,
  );
  const body = [
    `# bench:classify, ${today()}`,
    "",
    `Machine: ${machine()}. One thread each. Command: npm run bench:classify${quick ? " -- --quick" : ""}.`,
    "",
    table,
    "",
    "Data and settings (the same for every system):",
    ...sections,
    "",
    "train s: wall seconds of training (textkit in-process from texts in memory, tokenisation included;",
    "fastText: the `fasttext supervised` command, reading its file and writing its model included).",
    "train tokens/s: textkit's tokens per second; fastText's own words/sec/thread figure.",
    "predict docs/s: 50,000 raw texts (test texts repeated); fastText's model-load time is subtracted and its",
    "input is pre-tokenised; nlp.js measured on 5,000 texts through nlp.process.",
    "",
  ].join("\n");
  console.log(body);
  if (!quick) console.error(`written to ${writeResult("classify", body)}`);
}

await main();
