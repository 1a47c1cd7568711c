/**
 * npm run bench:defaults [-- clinc150 chnsenticorp long]
 *
 * What `classify train` does by default, before and after the defaults were fitted to the
 * data (issue 15 item 20), each beside a peer on the same data in one run:
 * - clinc150: no --dev/--test, so 10% + 10% of the train file are held out. Before, the
 *   saved model never saw them; after, the epochs are chosen on the dev 10% and the model
 *   is trained again on every row. Scored on CLINC150's published test file (in-scope).
 * - chnsenticorp: library defaults before; character unigrams for mostly Chinese text after.
 *   Peer: the fastText program with character unigrams (-minn 1 -maxn 1) on textkit's tokens.
 * - long: the long-document set of bench/long-documents.ts (20 topics, about 1,100 tokens a
 *   document). Library defaults before; training on chunks after. Peer: scikit-learn's
 *   TF-IDF (sublinear tf) with LinearSVC, the usual baseline on newsgroup posts.
 * Writes bench/results/defaults-<date>.md and .json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClassifierOptions,
  type Dataset,
  dataDefaults,
  Featurizer,
  loadDataset,
  Random,
  resolveClassifierOptions,
  stratifiedSplit,
  trainClassifier,
} from "../src/index.ts";
import {
  fmt,
  hasProgram,
  machine,
  markdownTable,
  ROOT,
  readClinc150,
  SHARED_DATA,
  timeProgram,
  today,
  writeResult,
} from "./common.ts";
import { LONG_DOCUMENTS, longDocuments } from "./long-documents.ts";

interface Row {
  set: string;
  system: string;
  settings: string;
  accuracy: number;
  seconds: number;
}

async function textkit(
  set: string,
  system: string,
  train: Dataset,
  test: Dataset,
  options: Partial<ClassifierOptions>,
  dev?: Dataset,
): Promise<Row & { bestEpoch: number }> {
  const t0 = performance.now();
  const model = await trainClassifier({ train, ...(dev === undefined ? {} : { dev }) }, options);
  const seconds = (performance.now() - t0) / 1000;
  // The last epoch with the best dev accuracy, as classify train chooses it.
  let best = Number.NEGATIVE_INFINITY;
  let bestEpoch = resolveClassifierOptions(options).epochs;
  for (const e of model.runRecord?.epochs ?? []) {
    const a = e.dev?.["accuracy"];
    if (a !== undefined && a >= best) {
      best = a;
      bestEpoch = e.epoch;
    }
  }
  const row = {
    set,
    system,
    settings: JSON.stringify(options),
    accuracy: model.evaluate(test).accuracy,
    seconds,
    bestEpoch,
  };
  console.error(`${set} ${system}: ${fmt.pct(row.accuracy)} in ${fmt.s(seconds)} s`);
  return row;
}

async function clinc(rows: Row[]): Promise<void> {
  const data = readClinc150();
  const all = data.part("train");
  const test = data.part("test");
  const split = stratifiedSplit(all, { dev: 0.1, test: 0.1, seed: 1 });
  const before = await textkit("clinc150", "textkit before (80% of train)", split.train, test, {}, split.dev);
  rows.push(before);
  rows.push(
    await textkit(
      "clinc150",
      `textkit after (all rows, epochs ${before.bestEpoch} chosen on dev)`,
      all,
      test,
      {
        epochs: before.bestEpoch,
      },
    ),
  );
  rows.push(await textkit("clinc150", "textkit, all rows, 10 epochs (reference)", all, test, {}));
}

async function chnsenticorp(rows: Row[], work: string): Promise<void> {
  const all = await loadDataset(join(SHARED_DATA, "chnsenticorp", "ChnSentiCorp_htl_all.csv"), {
    header: false,
    labelColumn: "1",
    textColumn: "2",
    skipEmptyText: true,
  });
  const { train, test } = stratifiedSplit(all, { dev: 0.1, test: 0.1, seed: 1 });
  rows.push(await textkit("chnsenticorp", "textkit before (library defaults)", train, test, {}));
  const fitted = dataDefaults(train).options;
  rows.push(await textkit("chnsenticorp", "textkit after (fitted defaults)", train, test, fitted));
  if (!hasProgram("fasttext")) {
    console.error("fasttext is not installed: the fastText row is left out");
    return;
  }
  const o = resolveClassifierOptions({});
  const featurizer = new Featurizer(o, []);
  const line = (labels: string[], text: string) =>
    `${labels.map((l) => `__label__${l}`).join(" ")} ${featurizer.tokens(text).join(" ")}`;
  const trainLines = train.examples.map((e) => line(e.labels, e.text));
  new Random(o.seed).shuffle(trainLines);
  writeFileSync(join(work, "train.txt"), `${trainLines.join("\n")}\n`);
  writeFileSync(
    join(work, "test.txt"),
    `${test.examples.map((e) => featurizer.tokens(e.text).join(" ")).join("\n")}\n`,
  );
  const args = ["supervised", "-input", join(work, "train.txt"), "-output", join(work, "ft")];
  args.push("-minn", "1", "-maxn", "1", "-wordNgrams", "2", "-thread", "1", "-seed", "1", "-verbose", "0");
  const trained = timeProgram("fasttext", args);
  const predicted = timeProgram("fasttext", ["predict", join(work, "ft.bin"), join(work, "test.txt"), "1"]);
  const labels = predicted.stdout.split("\n").filter((l) => l.length > 0);
  let correct = 0;
  test.examples.forEach((e, i) => {
    if (labels[i] === `__label__${e.labels[0]}`) correct++;
  });
  rows.push({
    set: "chnsenticorp",
    system: "fastText (character unigrams)",
    settings: "-minn 1 -maxn 1 -wordNgrams 2, other options fastText's defaults",
    accuracy: correct / test.examples.length,
    seconds: trained.seconds,
  });
}

async function long(rows: Row[], work: string): Promise<void> {
  const { train, test } = longDocuments(readClinc150());
  rows.push(await textkit("long", "textkit before (library defaults)", train, test, {}));
  const fitted = dataDefaults(train);
  console.error(fitted.reasons.join("\n"));
  rows.push(await textkit("long", "textkit after (fitted defaults)", train, test, fitted.options));
  const tsv = (d: Dataset) =>
    `${d.examples.map((e) => `${e.labels[0]}\t${e.text.replace(/\s+/g, " ")}`).join("\n")}\n`;
  writeFileSync(join(work, "long-train.tsv"), tsv(train));
  writeFileSync(join(work, "long-test.tsv"), tsv(test));
  const script = join(ROOT, "bench", "tfidf-svm.py");
  const files = [join(work, "long-train.tsv"), join(work, "long-test.tsv")];
  // A python3 earlier on PATH (pyenv) may lack the system's python3-sklearn.
  let result = spawnSync(process.env["PYTHON"] ?? "python3", [script, ...files], { encoding: "utf8" });
  if (result.status !== 0) result = spawnSync("/usr/bin/python3", [script, ...files], { encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`scikit-learn peer failed (is python3-sklearn installed?): ${result.stderr}`);
    return;
  }
  const [accuracy, seconds] = result.stdout.trim().split(" ").map(Number);
  rows.push({
    set: "long",
    system: "scikit-learn TF-IDF + LinearSVC",
    settings: "TfidfVectorizer(sublinear_tf=True), LinearSVC()",
    accuracy: accuracy!,
    seconds: seconds!,
  });
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const want = (name: string) => asked.length === 0 || asked.includes(name);
  const rows: Row[] = [];
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-defaults-"));
  try {
    if (want("clinc150")) await clinc(rows);
    if (want("chnsenticorp")) await chnsenticorp(rows, work);
    if (want("long")) await long(rows, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const table = markdownTable(
    ["data set", "system", "accuracy %", "train s", "settings"],
    rows.map((r) => [r.set, r.system, fmt.pct(r.accuracy), fmt.s(r.seconds), `\`${r.settings}\``]),
  );
  const body = [
    `# bench:defaults, ${today()}`,
    "",
    `Machine: ${machine()}. One thread each. Command: npm run bench:defaults${asked.length > 0 ? ` -- ${asked.join(" ")}` : ""}.`,
    `Load average at the end (1, 5, 15 min): ${loadavg()
      .map((x) => x.toFixed(1))
      .join(", ")}: on a shared machine the seconds say little; the accuracies do not depend on it.`,
    "",
    table,
    "",
    "- clinc150: trained on the published train file without --dev/--test (stratified 80/10/10, seed 1),",
    "  scored on the published test file (in-scope, 4,500).",
    "- chnsenticorp: stratified 80/10/10, seed 1, scored on the 10% test part.",
    `- long: bench/long-documents.ts, ${JSON.stringify(LONG_DOCUMENTS)}.`,
    "",
  ].join("\n");
  console.log(body);
  console.error(`written to ${writeResult("defaults", body)}`);
  writeFileSync(
    join(ROOT, "bench", "results", `defaults-${today()}.json`),
    `${JSON.stringify({ date: today(), machine: machine(), rows }, null, 2)}\n`,
  );
}

await main();
