/**
 * npm run bench:predict-hidden [-- --base COMMIT --docs N --rounds R --sets monitor,sst2 --write]
 *
 * The frozen classifier's prediction path, this tree against another commit's (by default the
 * commit this branch started from) in one process: each model is trained once here, saved,
 * and loaded by both trees' `loadClassifier`, so both predict with the same weights. Two
 * timings, in interleaved rounds whose order alternates, median of the rounds:
 * - hidden: `TokenVectors.hidden` alone (the mean of the feature rows), CPU µs a document;
 * - predictTokens: the whole prediction of pre-tokenized texts (k = 1), CPU µs a document.
 * Every hidden vector of this tree is checked against the other commit's, bit for bit.
 *
 * Data: the monitor's documents (bench:monitor's, ~15 tokens each) through the demo's
 * monitor-topic and monitor-sentiment models (dim 50, minn 2, maxn 4, wordNgrams 2), and
 * SST-2's dev sentences (repeated to N) through bench:classify's SST-2 model (dim 100,
 * wordNgrams 2, no subwords). The other commit's src/ is extracted with `git archive`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadDataset } from "../src/data/index.ts";
import { type TextClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import {
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  SHARED_DATA,
  stringArgument,
  today,
  writeResult,
} from "./common.ts";
import { monitorDocuments, trainMonitorModel } from "./monitor-data.ts";

const DOCS = numberArgument("--docs", 50_000);
const ROUNDS = numberArgument("--rounds", 5);
const SETS = stringArgument("--sets", "monitor,sst2").split(",");

/** The part of a classifier (of either tree) the bench uses. */
interface Model {
  featurizer: unknown;
  weights: { dim: number };
  tokenize(text: string): string[];
  predictTokens(tokens: readonly (readonly string[])[], options: { k: number }): { labels: string[] }[];
}
interface Tree {
  name: string;
  load(dir: string): Promise<Model>;
  vectors(weights: unknown): {
    hidden(featurizer: unknown, tokens: readonly string[], out: Float64Array): void;
  };
}

async function tree(name: string, src: string): Promise<Tree> {
  const classifier = (await import(
    pathToFileURL(join(src, "models/classifier/load-classifier.ts")).href
  )) as {
    loadClassifier(dir: string): Promise<Model>;
  };
  const vectors = (await import(pathToFileURL(join(src, "models/classifier/token-vectors.ts")).href)) as {
    TokenVectors: new (
      weights: unknown,
    ) => { hidden(featurizer: unknown, tokens: readonly string[], out: Float64Array): void };
  };
  return { name, load: (dir) => classifier.loadClassifier(dir), vectors: (w) => new vectors.TokenVectors(w) };
}

interface Case {
  name: string;
  model: TextClassifier;
  texts: string[];
}

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  if (SETS.includes("monitor")) {
    const texts = monitorDocuments(DOCS).map((d) =>
      d.title === undefined ? d.text : `${d.title}\n${d.text}`,
    );
    out.push({ name: "monitor-topic", model: await trainMonitorModel("monitor-topic", "topic"), texts });
    out.push({
      name: "monitor-sentiment",
      model: await trainMonitorModel("monitor-sentiment", "sentiment"),
      texts,
    });
  }
  const sst2 = join(SHARED_DATA, "sst2");
  if (SETS.includes("sst2") && existsSync(sst2)) {
    const opts = { labelColumn: "label" };
    const train = await loadDataset(join(sst2, "train.tsv"), { ...opts, textColumn: "sentence" });
    const dev = await loadDataset(join(sst2, "dev.tsv"), { ...opts, textColumn: "content" });
    const model = await trainClassifier(
      { train },
      { dim: 100, epochs: 5, lr: 0.5, wordNgrams: 2, minCount: 1 },
    );
    const texts = Array.from({ length: DOCS }, (_, i) => dev.examples[i % dev.examples.length]?.text ?? "");
    out.push({ name: "sst2 (dev, repeated)", model, texts });
  }
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** CPU µs a document of `run` over `n` documents (CPU time: what waiting for a busy core adds is left out). */
function timed(n: number, run: () => void): number {
  const c0 = process.cpuUsage();
  run();
  const used = process.cpuUsage(c0);
  return (used.user + used.system) / n;
}

/** Both trees' hidden vectors of every document, compared bit for bit; the number that differ. */
function differing(models: Model[], trees: Tree[], tokens: string[][]): number {
  const [a, b] = models.map((m, i) => ({ m, v: trees[i]?.vectors(m.weights) }));
  if (a?.v === undefined || b?.v === undefined) return Number.NaN;
  const x = new Float64Array(a.m.weights.dim);
  const y = new Float64Array(b.m.weights.dim);
  let bad = 0;
  for (const t of tokens) {
    a.v.hidden(a.m.featurizer, t, x);
    b.v.hidden(b.m.featurizer, t, y);
    if (!x.every((value, d) => Object.is(value, y[d]))) bad++;
  }
  return bad;
}

async function measure(c: Case, trees: Tree[], loads: number[]): Promise<(string | number)[]> {
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-hidden-"));
  try {
    await c.model.save(dir);
    const models = await Promise.all(trees.map((t) => t.load(dir)));
    const tokens = c.texts.map((t) => c.model.tokenize(t));
    const perDoc = tokens.reduce((s, t) => s + t.length, 0) / tokens.length;
    const hidden: number[][] = trees.map(() => []);
    const predict: number[][] = trees.map(() => []);
    const answers: string[] = [];
    const out = new Float64Array(c.model.weights.dim);
    const vectors = models.map((m, i) => trees[i]?.vectors(m.weights));
    // Round 0 warms both trees up (compiled, caches filled) and is not counted.
    for (let r = 0; r <= ROUNDS; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const m = models[i];
        const v = vectors[i];
        if (m === undefined || v === undefined) continue;
        const h = timed(tokens.length, () => {
          for (const t of tokens) v.hidden(m.featurizer, t, out);
        });
        let labels: { labels: string[] }[] = [];
        const p = timed(tokens.length, () => {
          labels = m.predictTokens(tokens, { k: 1 });
        });
        if (r === 0) answers[i] = labels.map((l) => l.labels.join(",")).join("\n");
        else {
          hidden[i]?.push(h);
          predict[i]?.push(p);
        }
      }
      if (r > 0) loads.push(loadavg()[0] ?? 0);
    }
    const [h0, h1] = hidden.map(median);
    const [p0, p1] = predict.map(median);
    const bad = differing(models, trees, tokens);
    console.log(
      `${c.name}: hidden ${h0?.toFixed(2)} -> ${h1?.toFixed(2)}, predictTokens ${p0?.toFixed(2)} -> ${p1?.toFixed(2)} µs/doc`,
    );
    return [
      c.name,
      c.model.weights.dim,
      perDoc.toFixed(1),
      fmt.int(tokens.length),
      (h0 ?? 0).toFixed(2),
      (h1 ?? 0).toFixed(2),
      `${((h0 ?? 0) / (h1 ?? 1)).toFixed(2)}x`,
      (p0 ?? 0).toFixed(2),
      (p1 ?? 0).toFixed(2),
      `${((p0 ?? 0) / (p1 ?? 1)).toFixed(2)}x`,
      bad === 0 && answers[0] === answers[1] ? "yes" : `no (${bad} hidden vectors differ)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const fallback = execFileSync("git", ["merge-base", "HEAD", "main"], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  const base = stringArgument("--base", fallback);
  const commit = execFileSync("git", ["rev-parse", "--short", base], { cwd: ROOT, encoding: "utf8" }).trim();
  // Outside the repository (its tests and sources must not join this tree's), with this tree's packages.
  const baseDir = join(tmpdir(), `textkit-hidden-base-${commit}`);
  if (!existsSync(join(baseDir, "src"))) {
    mkdirSync(baseDir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${commit} src | tar -x -C '${baseDir}'`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(baseDir, "node_modules"));
  }
  const trees = [
    await tree(`commit ${commit}`, join(baseDir, "src")),
    await tree("this tree", join(ROOT, "src")),
  ];
  const loads: number[] = [];
  const rows: (string | number)[][] = [];
  for (const c of await cases()) rows.push(await measure(c, trees, loads));
  const table = markdownTable(
    [
      "model",
      "dim",
      "tokens/doc",
      "docs",
      `hidden, ${commit} CPU µs/doc`,
      "hidden, this tree CPU µs/doc",
      "speed-up",
      `predictTokens, ${commit} CPU µs/doc`,
      "predictTokens, this tree CPU µs/doc",
      "speed-up",
      "same bits and answers",
    ],
    rows,
  );
  const load = `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
  const body =
    `# bench:predict-hidden, ${today()}\n\nMachine: ${machine()}. One process; medians of ${ROUNDS} interleaved rounds ` +
    `(order alternating); load average (1 min) ${load}. Command: npm run bench:predict-hidden -- --base ${commit} ` +
    `--docs ${DOCS} --rounds ${ROUNDS} --sets ${SETS.join(",")}.\n\n${table}\n`;
  console.log(body);
  if (process.argv.includes("--write")) console.log(`written to ${writeResult("predict-hidden", body)}`);
}

await main();
