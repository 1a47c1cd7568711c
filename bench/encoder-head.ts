/**
 * npm run bench:encoder-head [-- --train 10000 --test 2000 --dim 384 --labels 50 --spread 5]
 *
 * Training a head on cached sentence embeddings: textkit's head trainer (a softmax layer on
 * standardised embeddings, AdamW with warm-up and decay, one thread) beside scikit-learn's
 * StandardScaler + LogisticRegression(max_iter=1000) (the Debian python3-sklearn through
 * /usr/bin/python3, lbfgs, limited to one native thread with threadpoolctl), on the same
 * float32 rows written to files. The MLP head (one hidden layer of 256) is shown beside.
 * Defaults: 10,000 training rows, 2,000 test rows, 384 dimensions, 50 labels, spread 5.
 *
 * The embeddings are synthetic: `labels` class centres drawn in `dim` dimensions, each row a
 * centre plus Gaussian noise, scaled to unit length as a normalised sentence encoder's rows
 * are; `spread` sets how far rows stray from their centre, so that accuracy is well below
 * 100% and the comparison says something. They stand in for an encoder's cache: no real
 * encoder weights are involved, so nothing here says how accurate a head on a real encoder
 * (MiniLM, BERT) is. "fit s" is the training time alone, the embeddings already in memory.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HeadData, headMetric, Random, resolveHeadOptions, trainHead } from "../src/index.ts";
import { BENCH_DIR, fmt, machine, markdownTable, numberArgument, today, writeResult } from "./common.ts";

const PYTHON = "/usr/bin/python3";
const PEER = join(BENCH_DIR, "encoder-head", "sklearn_logreg.py");

function gaussian(rng: Random): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Unit-length rows around per-label centres; labels cycle through the rows. */
function embeddings(
  rows: number,
  dim: number,
  centres: Float32Array,
  labels: number,
  spread: number,
  rng: Random,
): HeadData {
  const vectors = new Float32Array(rows * dim);
  const ids = new Int32Array(rows);
  const noise = spread / Math.sqrt(dim);
  for (let i = 0; i < rows; i++) {
    const l = rng.int(labels);
    ids[i] = l;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = centres[l * dim + j]! + noise * gaussian(rng);
      vectors[i * dim + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = vectors[i * dim + j]! * inv;
  }
  return { vectors, targets: { offsets: Int32Array.from({ length: rows + 1 }, (_, i) => i), ids } };
}

interface Row {
  system: string;
  seconds: number;
  cpu: number;
  accuracy: number;
  epochs: string;
}

function hasSklearn(): boolean {
  return spawnSync(PYTHON, ["-c", "import sklearn, threadpoolctl"], { encoding: "utf8" }).status === 0;
}

function main(): void {
  if (!hasSklearn()) {
    console.error(
      `${PYTHON} with scikit-learn and threadpoolctl is not available; bench:encoder-head needs it as the peer`,
    );
    process.exitCode = 1;
    return;
  }
  const nTrain = numberArgument("--train", 10_000);
  const nTest = numberArgument("--test", 2_000);
  const dim = numberArgument("--dim", 384);
  const labels = numberArgument("--labels", 50);
  const spread = numberArgument("--spread", 5);
  const rng = new Random(7);
  const centres = Float32Array.from({ length: labels * dim }, () => gaussian(rng) / Math.sqrt(dim));
  const train = embeddings(nTrain, dim, centres, labels, spread, rng);
  const test = embeddings(nTest, dim, centres, labels, spread, rng);
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-head-"));
  const rows: Row[] = [];
  try {
    writeFileSync(join(work, "shape.json"), JSON.stringify({ train: nTrain, test: nTest, dim }));
    writeFileSync(join(work, "train.f32"), train.vectors);
    writeFileSync(join(work, "train.i32"), train.targets.ids);
    writeFileSync(join(work, "test.f32"), test.vectors);
    writeFileSync(join(work, "test.i32"), test.targets.ids);
    const peer = spawnSync(PYTHON, [PEER, work], {
      encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    });
    if (peer.status !== 0) throw new Error(`scikit-learn failed: ${peer.stderr}`);
    const sk = JSON.parse(peer.stdout) as {
      seconds: number;
      cpu: number;
      accuracy: number;
      iterations: number;
      version: string;
    };
    rows.push({
      system: `scikit-learn ${sk.version} LogisticRegression (lbfgs, 1 thread)`,
      seconds: sk.seconds,
      cpu: sk.cpu,
      accuracy: sk.accuracy,
      epochs: `${sk.iterations} iterations`,
    });
    for (const [name, options] of [
      ["textkit head, softmax, 3 epochs", { epochs: 3, patience: 0 }],
      ["textkit head, softmax, 2 epochs", { epochs: 2, patience: 0 }],
      ["textkit head, MLP 256, 3 epochs", { hidden: 256, epochs: 3, patience: 0 }],
    ] as const) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const result = trainHead(train, undefined, dim, labels, resolveHeadOptions(options));
      const c1 = process.cpuUsage(c0);
      const seconds = (performance.now() - t0) / 1000;
      rows.push({
        system: name,
        seconds,
        cpu: (c1.user + c1.system) / 1e6,
        accuracy: headMetric(result.weights, test, false),
        epochs: `${result.epochs.length} epochs`,
      });
      console.error(`${name}: ${seconds.toFixed(2)} s`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const sk = rows[0]!;
  const load = spawnSync("uptime", { encoding: "utf8" })
    .stdout.trim()
    .replace(/.*load average: /, "");
  const table = markdownTable(
    [
      "system",
      "fit s",
      "fit s / scikit-learn",
      "fit CPU s",
      "fit CPU s / scikit-learn",
      "test accuracy",
      "accuracy − scikit-learn (points)",
      "passes",
    ],
    rows.map((r) => [
      r.system,
      fmt.s(r.seconds),
      fmt.ratio(r.seconds / sk.seconds),
      fmt.s(r.cpu),
      fmt.ratio(r.cpu / sk.cpu),
      fmt.pct(r.accuracy),
      (100 * (r.accuracy - sk.accuracy)).toFixed(2),
      r.epochs,
    ]),
  );
  const body = `# bench:encoder-head, ${today()}

Machine: ${machine()}. Load average at the end: ${load}. Command: npm run bench:encoder-head.

${table}

Data: synthetic clustered embeddings, not an encoder's: ${nTrain.toLocaleString("en-US")} training and ${nTest.toLocaleString("en-US")} test rows of ${dim} float32 values, ${labels} labels, unit-length rows around random centres (spread ${spread}), written to files so both sides read the same rows. Nothing here measures accuracy on real text or real encoder weights.

Settings: textkit's heads use their defaults (AdamW lr 0.01, 5% warm-up then linear decay, batch 32, dropout 0.1, weight decay 0.01, seed 1) with the epochs shown and no dev set; scikit-learn fits StandardScaler + LogisticRegression(C=1, lbfgs, max_iter=1000) with one native thread. Both times are of training alone, the rows already in memory; on a loaded machine the CPU seconds (user + system of the process during the fit) say more than the wall seconds.
`;
  console.log(body);
  console.error(`wrote ${writeResult("encoder-head", body)}`);
}

main();
