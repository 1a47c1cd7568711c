/**
 * bench:encoder: throughput of textkit's pretrained-encoder runtime (ONNX runtime + Hugging
 * Face's tokenizer.json reader) against PyTorch on the same weights and the same texts.
 *
 * scripts/make-encoder-fixtures.py --bench exports a MiniLM-L6-shaped (6 layers, 384
 * hidden, 12 heads) and a BERT-base-shaped (12 layers, 768 hidden, 12 heads) encoder with
 * random weights into bench/.cache/encoder (not committed; its vocabulary is the fixture's
 * plus CLINC150's commonest training words, so texts get a realistic number of tokens).
 * Each row runs in fresh processes (bench/encoder/worker.ts, bench/encoder/peer.py) so
 * that peak memory is each side's own; sides alternate, best of --reps runs counts.
 *
 * textkit's time includes tokenising; PyTorch is handed textkit's token ids and times its
 * forward passes and pooling only. Both sort by length, pad per batch, mean-pool and
 * normalise. Random weights say nothing about accuracy, and this benchmark claims none:
 * the max |Δ| column only shows that both sides computed the same vectors.
 *
 *   npm run bench:encoder [-- --texts 200 --reps 2 --threads 1]
 *
 * --threads N runs only the rows with N threads (default: 1 and 2).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadEncoder } from "../src/index.ts";
import {
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  readClinc150,
  SHARED_DATA,
  writeResult,
} from "./common.ts";

const CACHE = join(ROOT, "bench", ".cache", "encoder");
const PYTHON = "/usr/bin/python3";
const MODELS = ["minilm-l6", "bert-base"] as const;
const THREADS = [1, 2] as const;
const BATCHES = [1, 32] as const;

interface SideResult {
  seconds: number;
  texts: number;
  maxRssKb: number;
  tokenizeSeconds?: number;
  /** The peer's OpenBLAS pool size as it ran (null when torch uses another BLAS). */
  blasThreads?: number | null;
}

function run(cmd: string, args: string[], threads: number): SideResult {
  // The peer's BLAS pool must match the row: OpenBLAS ignores torch.set_num_threads.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26, env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as SideResult;
}

function ensureModels(trainTexts: string[]): void {
  if (MODELS.every((m) => existsSync(join(CACHE, m, "onnx", "model.onnx")))) return;
  mkdirSync(CACHE, { recursive: true });
  const vocabText = join(CACHE, "vocab-source.txt");
  writeFileSync(vocabText, `${trainTexts.join("\n")}\n`);
  console.log(`exporting the benchmark encoders into ${CACHE} (once)...`);
  const r = spawnSync(
    PYTHON,
    [join(ROOT, "scripts", "make-encoder-fixtures.py"), "--bench", CACHE, "--vocab-from", vocabText],
    {
      encoding: "utf8",
      stdio: ["ignore", "inherit", "pipe"],
    },
  );
  if (r.status !== 0) throw new Error(`make-encoder-fixtures.py --bench failed:\n${r.stderr}`);
}

function maxDifference(a: string, b: string): number {
  const x = new Float32Array(new Uint8Array(readFileSync(a)).buffer);
  const y = new Float32Array(new Uint8Array(readFileSync(b)).buffer);
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  return worst;
}

interface Row {
  model: string;
  threads: number;
  batch: number;
  ours: SideResult;
  peer: SideResult;
  diff: number;
}

function measure(
  model: string,
  threads: number,
  batch: number,
  textsFile: string,
  idsFile: string,
  reps: number,
): Row {
  const dir = join(CACHE, model);
  const oursOut = join(CACHE, "ours.f32");
  const peerOut = join(CACHE, "peer.f32");
  let ours: SideResult | undefined;
  let peer: SideResult | undefined;
  for (let rep = 0; rep < reps; rep++) {
    const a = run(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "bench", "encoder", "worker.ts"),
        dir,
        textsFile,
        String(threads),
        String(batch),
        oursOut,
      ],
      threads,
    );
    const b = run(
      PYTHON,
      [join(ROOT, "bench", "encoder", "peer.py"), dir, idsFile, String(threads), String(batch), peerOut],
      threads,
    );
    if (ours === undefined || a.seconds < ours.seconds) ours = a;
    if (peer === undefined || b.seconds < peer.seconds) peer = b;
  }
  return {
    model,
    threads,
    batch,
    ours: ours as SideResult,
    peer: peer as SideResult,
    diff: maxDifference(oursOut, peerOut),
  };
}

/**
 * The head-training rows (10,000 cached embeddings, textkit's head against scikit-learn's
 * LogisticRegression: accuracy and time) belong to the heads' half of issue 12; they go
 * here, in this same result file, when the heads exist.
 */
function headTrainingSection(): string {
  return "## Head training\n\nNot measured in this run: the heads on cached embeddings are built separately (issue 12, items 3 and 4); their rows (textkit's head vs scikit-learn LogisticRegression on 10,000 cached embeddings) go here.\n";
}

async function main(): Promise<void> {
  const textCount = numberArgument("--texts", 200);
  const reps = numberArgument("--reps", 2);
  const onlyThreads = numberArgument("--threads", 0);
  if (onlyThreads !== 0 && !THREADS.some((t) => t === onlyThreads)) {
    throw new Error(`--threads takes one of ${THREADS.join(", ")}, not ${onlyThreads}`);
  }
  const threadCounts = onlyThreads === 0 ? THREADS : [onlyThreads];
  if (!existsSync(join(SHARED_DATA, "clinc150", "data_full.json"))) {
    console.log(`bench:encoder skipped: ${join(SHARED_DATA, "clinc150", "data_full.json")} is not there`);
    return;
  }
  if (spawnSync(PYTHON, ["-c", "import torch"]).status !== 0) {
    console.log(`bench:encoder skipped: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
    return;
  }
  const clinc = readClinc150();
  ensureModels(clinc.texts("train"));
  const texts = clinc.texts("test").slice(0, textCount);
  const textsFile = join(CACHE, "texts.json");
  writeFileSync(textsFile, JSON.stringify(texts));
  const loadBefore = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  const rows: Row[] = [];
  const tokens: Record<string, number> = {};
  for (const model of MODELS) {
    const encoder = await loadEncoder(join(CACHE, model), { threads: 1 });
    const ids = texts.map((t) => encoder.tokenize(t).ids);
    tokens[model] = ids.reduce((s, r) => s + r.length, 0) / ids.length;
    await encoder.close();
    const idsFile = join(CACHE, `${model}-ids.json`);
    writeFileSync(idsFile, JSON.stringify(ids));
    for (const threads of threadCounts) {
      for (const batch of BATCHES) {
        const row = measure(model, threads, batch, textsFile, idsFile, reps);
        rows.push(row);
        const ratio = row.peer.seconds / row.ours.seconds;
        console.log(
          `${model} threads ${threads} batch ${batch}: textkit ${fmt.s(row.ours.texts / row.ours.seconds)}/s, PyTorch ${fmt.s(row.peer.texts / row.peer.seconds)}/s, ${fmt.ratio(ratio)}`,
        );
      }
    }
  }
  const loadAfter = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  const table = markdownTable(
    [
      "model",
      "threads",
      "batch",
      "textkit sentences/s",
      "PyTorch sentences/s",
      "ratio",
      "textkit tokenising share",
      "textkit peak RSS MiB",
      "PyTorch peak RSS MiB",
      "PyTorch BLAS threads",
      "max abs diff",
    ],
    rows.map((r) => [
      r.model,
      r.threads,
      r.batch,
      fmt.s(r.ours.texts / r.ours.seconds),
      fmt.s(r.peer.texts / r.peer.seconds),
      fmt.ratio(r.peer.seconds / r.ours.seconds),
      `${fmt.pct((r.ours.tokenizeSeconds ?? 0) / r.ours.seconds)}%`,
      fmt.int(r.ours.maxRssKb / 1024),
      fmt.int(r.peer.maxRssKb / 1024),
      r.peer.blasThreads ?? "not OpenBLAS",
      r.diff.toExponential(1),
    ]),
  );
  const body = [
    "# bench:encoder",
    "",
    `Machine: ${machine()}. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}.`,
    `Texts: the first ${texts.length} of CLINC150's test set; mean tokens per text (special tokens included): ${Object.entries(
      tokens,
    )
      .map(([m, n]) => `${m} ${n.toFixed(1)}`)
      .join(", ")}.`,
    `Random weights (seeded); no accuracy is claimed. Best of ${reps} runs per side, each in a fresh process. textkit's time includes tokenising; PyTorch (torch ${spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" }).stdout.trim()}, torch.set_num_threads) is handed the token ids. Ratio = textkit's sentences/s over PyTorch's. The peer runs with OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set to the row's threads (Debian's torch calls OpenBLAS, whose own pool ignores torch.set_num_threads; runs before this setting gave PyTorch's "1 thread" rows 2 cores for their GEMMs); the BLAS threads column is what the peer's OpenBLAS reported.`,
    "",
    "## Sentences per second",
    "",
    table,
    "",
    headTrainingSection(),
  ].join("\n");
  console.log(body);
  console.log(`wrote ${writeResult("encoder", body)}`);
}

await main();
