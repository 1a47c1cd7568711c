/**
 * npm run bench:pretrain [-- --fraction 0.1 --seeds 3]
 *
 * Does pretraining on unlabelled text help when labels are few? On CLINC150 (in-scope),
 * a classifier is trained on a stratified 10% of the training set (1,500 examples, 10
 * per intent), once from random embeddings and once starting from word vectors that
 * `trainVectors` learned from the unlabelled texts of the whole training and validation
 * sets and the out-of-scope texts (never the test set). Both are scored on the full
 * published test set. Each label subset is drawn with several seeds; the table gives the
 * mean and every run. With the fastText program on PATH, its own `skipgram` +
 * `supervised -pretrainedVectors` runs on the same files as the peer.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ClassifierOptions,
  Featurizer,
  Random,
  resolveClassifierOptions,
  stratifiedSplit,
  trainClassifier,
  trainVectors,
  writeVecFile,
} from "../src/index.ts";
import {
  type Clinc150,
  fmt,
  hasProgram,
  machine,
  markdownTable,
  numberArgument,
  readClinc150,
  SHARED_DATA,
  timeProgram,
  today,
  writeResult,
} from "./common.ts";

const CLASSIFIER: Partial<ClassifierOptions> = { dim: 100, epochs: 25, lr: 0.5, wordNgrams: 1, minCount: 1 };
const VECTORS = { dim: 100, epochs: 10, lr: 0.05, window: 5, negatives: 5, minCount: 2, minn: 3, maxn: 6 };

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function main(): Promise<void> {
  const fraction = numberArgument("--fraction", 0.1);
  const seeds = numberArgument("--seeds", 3);
  let clinc: Clinc150;
  try {
    clinc = readClinc150();
  } catch {
    console.error(`skip: ${SHARED_DATA}/clinc150/data_full.json is not there (see ../shared/data/README.md)`);
    return;
  }
  const train = clinc.part("train");
  const test = clinc.part("test");
  const unlabelled = clinc.texts("train", "val", "oos_train", "oos_val");
  console.error(`unlabelled texts: ${unlabelled.length}; labelled pool: ${train.examples.length}`);

  const work = mkdtempSync(join(tmpdir(), "textkit-pretrain-"));
  try {
    const v0 = performance.now();
    const vectors = await trainVectors(unlabelled, VECTORS);
    const vectorSeconds = (performance.now() - v0) / 1000;
    const vecPath = join(work, "clinc.vec");
    await writeVecFile(vecPath, vectors.toWordVectors());
    console.error(`vectors: ${vectors.words().length} words in ${vectorSeconds.toFixed(1)} s`);

    const withFastText = hasProgram("fasttext");
    const o = resolveClassifierOptions(CLASSIFIER);
    const featurizer = new Featurizer(o, []);
    const ftVec = join(work, "ft-sg");
    if (withFastText) {
      writeFileSync(
        join(work, "unlabelled.txt"),
        `${unlabelled.map((t) => featurizer.tokens(t).join(" ")).join("\n")}\n`,
      );
      timeProgram("fasttext", [
        "skipgram",
        "-input",
        join(work, "unlabelled.txt"),
        "-output",
        ftVec,
        "-dim",
        `${VECTORS.dim}`,
        "-epoch",
        `${VECTORS.epochs}`,
        "-minCount",
        `${VECTORS.minCount}`,
        "-thread",
        "1",
        "-verbose",
        "0",
      ]);
      writeFileSync(
        join(work, "test.txt"),
        `${test.examples.map((e) => `__label__${e.labels[0]} ${featurizer.tokens(e.text).join(" ")}`).join("\n")}\n`,
      );
    }

    const rows: (string | number)[][] = [];
    const acc: Record<string, number[]> = { scratch: [], pretrained: [], ftScratch: [], ftPretrained: [] };
    for (let s = 1; s <= seeds; s++) {
      // The labelled subset: a stratified `fraction` of the training set, drawn with seed s.
      const { test: few } = stratifiedSplit(train, { dev: 0, test: fraction, seed: s });
      const scratch = await trainClassifier({ train: few }, { ...CLASSIFIER, seed: s });
      const pretrained = await trainClassifier(
        { train: few },
        { ...CLASSIFIER, seed: s, pretrainedVectors: vecPath },
      );
      const a = scratch.evaluate(test).accuracy;
      const b = pretrained.evaluate(test).accuracy;
      acc["scratch"]!.push(a);
      acc["pretrained"]!.push(b);
      const row: (string | number)[] = [s, few.examples.length, fmt.pct(a), fmt.pct(b)];
      if (withFastText) {
        const lines = few.examples.map(
          (e) => `__label__${e.labels[0]} ${featurizer.tokens(e.text).join(" ")}`,
        );
        new Random(s).shuffle(lines);
        writeFileSync(join(work, "few.txt"), `${lines.join("\n")}\n`);
        const ft = (extra: string[]): number => {
          const args = [
            "supervised",
            "-input",
            join(work, "few.txt"),
            "-output",
            join(work, "ft"),
            "-dim",
            "100",
          ];
          args.push(
            "-epoch",
            "25",
            "-lr",
            "0.5",
            "-minCount",
            "1",
            "-thread",
            "1",
            "-seed",
            `${s}`,
            "-verbose",
            "0",
            ...extra,
          );
          timeProgram("fasttext", args);
          const out = timeProgram("fasttext", [
            "test",
            join(work, "ft.bin"),
            join(work, "test.txt"),
            "1",
          ]).stdout;
          return Number(/P@1\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
        };
        const c = ft([]);
        const d = ft(["-pretrainedVectors", `${ftVec}.vec`]);
        acc["ftScratch"]!.push(c);
        acc["ftPretrained"]!.push(d);
        row.push(fmt.pct(c), fmt.pct(d));
      }
      rows.push(row);
      console.error(`seed ${s}: ${row.join(" | ")}`);
    }
    const header = ["label seed", "labelled examples", "textkit scratch %", "textkit pretrained %"];
    const meanRow: (string | number)[] = [
      "mean",
      "",
      fmt.pct(mean(acc["scratch"]!)),
      fmt.pct(mean(acc["pretrained"]!)),
    ];
    if (withFastText) {
      header.push("fastText scratch %", "fastText pretrained %");
      meanRow.push(fmt.pct(mean(acc["ftScratch"]!)), fmt.pct(mean(acc["ftPretrained"]!)));
    }
    rows.push(meanRow);
    const gain = mean(acc["pretrained"]!) - mean(acc["scratch"]!);
    const body = [
      `# Pretraining on unlabelled text, few labels: CLINC150 in-scope, ${today()}`,
      "",
      `Machine: ${machine()}. Labelled: a stratified ${fraction * 100}% of the training set per seed; test: the full published test set (${test.examples.length}).`,
      `Unlabelled text for the vectors: ${unlabelled.length} texts (train, val, oos_train, oos_val; not test), skip-gram with subwords, ${JSON.stringify(VECTORS)}, ${vectorSeconds.toFixed(1)} s.`,
      `Classifier: ${JSON.stringify(CLASSIFIER)}.${withFastText ? " fastText: skipgram with the same dim/epochs/minCount, then supervised -pretrainedVectors, same classifier settings, text tokenised by textkit." : " fastText not on PATH: its columns are left out."}`,
      "",
      markdownTable(header, rows),
      "",
      `Mean gain from pretraining (textkit): ${(100 * gain).toFixed(2)} points.`,
      "",
    ].join("\n");
    console.log(body);
    console.error(`written to ${writeResult("pretrain", body)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
