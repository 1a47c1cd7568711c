/**
 * npm run bench:cluster [-- --n 100000 --dim 50 --k 20 --n-init 3 --clinc-n-init 3]
 *
 * textkit's k-means beside scikit-learn's KMeans (the Debian python3-sklearn, through
 * /usr/bin/python3) on the same rows, in one run:
 *
 * - blobs: make_blobs(n, dim, centers = k, cluster_std 4, random_state 0), k clusters.
 * - clinc150: the 22,500 in-scope texts of CLINC150 (train, val and test), as textkit's
 *   TF-IDF rows (unit length, sparse; the same matrix is handed to scikit-learn), k = 150;
 *   the adjusted Rand index says how well the clusters recover the 150 intents. Skipped,
 *   with a message, when ../shared/data/clinc150 is absent.
 *
 * Fairness: both fit the same float32 rows with k-means++ (greedy, 2 + ln k candidates),
 * n_init restarts and scikit-learn's tolerance; "fit s" is the wall time of the fit alone,
 * the data already in memory. textkit runs on one thread; scikit-learn is shown with its
 * default threads (OpenMP over all cores) and limited to one thread (threadpoolctl).
 * Inertia ratio = inertia / scikit-learn's (default threads); silhouettes are computed by
 * textkit's silhouette (checked against silhouette_score to 1e-9 in the tests) on the same
 * seeded sample of 5,000 rows for every labelling, Euclidean (for TF-IDF rows of unit length
 * a monotone function of cosine distance). textkit's spherical k-means (cosine, the text
 * model's default) is shown beside: its inertia is a sum of cosine distances, not comparable.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  adjustedRandIndex,
  type KMeansData,
  type KMeansMetric,
  kMeans,
  type SparseRows,
  silhouette,
  TfidfFeatures,
} from "../src/index.ts";
import { TermTokenizer } from "../src/models/cluster/index.ts";
import {
  BENCH_DIR,
  fmt,
  machine,
  markdownTable,
  numberArgument,
  readClinc150,
  SHARED_DATA,
  today,
  writeResult,
} from "./common.ts";

const PYTHON = "/usr/bin/python3";
const PEER = join(BENCH_DIR, "cluster", "sklearn_kmeans.py");
const SILHOUETTE_SAMPLE = 5000;

interface Row {
  data: string;
  system: string;
  seconds: number;
  inertia: number;
  inertiaRatio: number;
  silhouette: number;
  ari: number;
  iterations: number | string;
  note?: string;
}

function python(args: string[]): string {
  const r = spawnSync(PYTHON, [PEER, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${PEER} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

function hasSklearn(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import sklearn, threadpoolctl"], { encoding: "utf8" }).status === 0;
}

function int32File(path: string): Int32Array {
  const b = readFileSync(path);
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function float32File(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

interface PeerFit {
  seconds: number;
  inertia: number;
  n_iter: number;
  sklearn: string;
  cpus: number;
}

/** textkit and scikit-learn (default threads, one thread) on the rows in `dir`. */
function compare(
  name: string,
  dir: string,
  rows: KMeansData,
  n: number,
  dim: number,
  k: number,
  nInit: number,
  truth: ArrayLike<string | number>,
  extraMetric: KMeansMetric | null,
): Row[] {
  const sil = (labels: Int32Array) =>
    silhouette(rows, n, dim, labels, k, { sampleSize: SILHOUETTE_SAMPLE, seed: 1 });
  const out: Row[] = [];
  const t0 = performance.now();
  const ours = kMeans(rows, n, dim, { k, nInit, seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const peers: { label: string; fit: PeerFit; labels: Int32Array }[] = [];
  for (const threads of [0, 1]) {
    const fit = JSON.parse(python(["fit", dir, String(k), String(nInit), "0", String(threads)])) as PeerFit;
    const label =
      threads === 0
        ? `scikit-learn ${fit.sklearn} KMeans (${fit.cpus} threads)`
        : `scikit-learn ${fit.sklearn} KMeans (1 thread)`;
    peers.push({ label, fit, labels: int32File(join(dir, `labels-${threads}.i32`)) });
  }
  const reference = peers[0]!.fit.inertia;
  out.push({
    data: name,
    system: "textkit kMeans (euclidean, 1 thread)",
    seconds,
    inertia: ours.inertia,
    inertiaRatio: ours.inertia / reference,
    silhouette: sil(ours.assignments),
    ari: adjustedRandIndex(truth, ours.assignments),
    iterations: ours.iterations,
  });
  for (const p of peers) {
    out.push({
      data: name,
      system: p.label,
      seconds: p.fit.seconds,
      inertia: p.fit.inertia,
      inertiaRatio: p.fit.inertia / reference,
      silhouette: sil(p.labels),
      ari: adjustedRandIndex(truth, p.labels),
      iterations: p.fit.n_iter,
    });
  }
  if (extraMetric !== null) {
    const t1 = performance.now();
    const spherical = kMeans(rows, n, dim, { k, nInit, seed: 0, metric: extraMetric });
    out.push({
      data: name,
      system: `textkit kMeans (${extraMetric}, spherical, 1 thread)`,
      seconds: (performance.now() - t1) / 1000,
      inertia: spherical.inertia,
      inertiaRatio: Number.NaN,
      silhouette: sil(spherical.assignments),
      ari: adjustedRandIndex(truth, spherical.assignments),
      iterations: spherical.iterations,
      note: "inertia = sum of 1 - cosine",
    });
  }
  return out;
}

function blobs(work: string, notes: string[]): Row[] {
  const n = numberArgument("--n", 100_000);
  const dim = numberArgument("--dim", 50);
  const k = numberArgument("--k", 20);
  const nInit = numberArgument("--n-init", 3);
  const dir = join(work, "blobs");
  spawnSync("mkdir", ["-p", dir]);
  python(["blobs", dir, String(n), String(dim), String(k), "4", "0"]);
  const x = float32File(join(dir, "x.f32"));
  const truth = int32File(join(dir, "y.i32"));
  notes.push(
    `- blobs: make_blobs(n_samples=${n}, n_features=${dim}, centers=${k}, cluster_std=4, random_state=0) as float32; k=${k}, n_init=${nInit}, seed 0; ARI against the generating blob`,
  );
  console.error(`blobs: ${n} x ${dim}, k=${k}, n_init=${nInit}`);
  return compare("blobs", dir, x, n, dim, k, nInit, truth, null);
}

function clinc(work: string, notes: string[]): Row[] {
  if (!existsSync(join(SHARED_DATA, "clinc150", "data_full.json"))) {
    console.error("clinc150: ../shared/data/clinc150/data_full.json is absent; skipped");
    notes.push("- clinc150: skipped (../shared/data/clinc150 absent)");
    return [];
  }
  const nInit = numberArgument("--clinc-n-init", 3);
  const data = readClinc150();
  const examples = ["train", "val", "test"].flatMap((part) => data.part(part).examples);
  const texts = examples.map((e) => e.text);
  const truth = examples.map((e) => e.labels[0]!);
  const t0 = performance.now();
  const tokenizer = new TermTokenizer({ lowercase: true, normalization: "NFKC" });
  const documents = texts.map((t) => tokenizer.terms(t));
  const tfidf = TfidfFeatures.fit(documents, { minDf: 2, maxDf: 0.5, maxFeatures: 50_000 });
  const rows: SparseRows = tfidf.transform(documents);
  const featureSeconds = (performance.now() - t0) / 1000;
  const n = texts.length;
  const dir = join(work, "clinc");
  spawnSync("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "indptr.i32"), rows.rowStart);
  writeFileSync(join(dir, "indices.i32"), rows.columns);
  writeFileSync(join(dir, "data.f32"), rows.values);
  writeFileSync(join(dir, "shape.json"), JSON.stringify({ n, dim: tfidf.dim }));
  notes.push(
    `- clinc150: ${n} in-scope texts (train+val+test), 150 intents; textkit TF-IDF (min_df 2, max_df 0.5, unit rows): ${tfidf.dim} terms, ${rows.values.length.toLocaleString("en-US")} non-zeros, built in ${featureSeconds.toFixed(2)} s (not in fit s); k=150, n_init=${nInit}, seed 0; the same CSR matrix is given to scikit-learn; ARI against the intents`,
  );
  console.error(`clinc150: ${n} texts x ${tfidf.dim} terms, k=150, n_init=${nInit}`);
  return compare("clinc150", dir, rows, n, tfidf.dim, 150, nInit, truth, "cosine");
}

function main(): void {
  if (!hasSklearn()) {
    console.error(
      `${PYTHON} with scikit-learn and threadpoolctl is not available; bench:cluster needs it as the peer`,
    );
    process.exitCode = 1;
    return;
  }
  const loadAt = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(", ");
  const loadStart = loadAt();
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-cluster-"));
  const notes: string[] = [];
  let rows: Row[] = [];
  try {
    rows = [...blobs(work, notes), ...clinc(work, notes)];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const textkitSeconds = new Map<string, number>();
  for (const r of rows)
    if (r.system.startsWith("textkit kMeans (euclidean")) textkitSeconds.set(r.data, r.seconds);
  const table = markdownTable(
    [
      "data set",
      "system",
      "fit s",
      "fit s / textkit",
      "inertia",
      "inertia / scikit-learn",
      "silhouette (5,000 sampled)",
      "ARI",
      "iterations",
    ],
    rows.map((r) => [
      r.data,
      r.system,
      fmt.s(r.seconds),
      fmt.ratio(r.seconds / textkitSeconds.get(r.data)!),
      r.note === undefined ? r.inertia.toFixed(2) : `${r.inertia.toFixed(2)} (${r.note})`,
      Number.isFinite(r.inertiaRatio) ? r.inertiaRatio.toFixed(4) : "n/a",
      r.silhouette.toFixed(4),
      r.ari.toFixed(4),
      String(r.iterations),
    ]),
  );
  const body = `# bench:cluster, ${today()}

Machine: ${machine()}. Command: npm run bench:cluster.
Load average (1, 5, 15 min): ${loadStart} at the start, ${loadAt()} at the end; on a loaded machine the seconds
are slow and noisy, the ratios of one run count.

${table}

Data and settings:
${notes.join("\n")}

Method, the same for both: greedy k-means++ (2 + floor(ln k) candidates per centre, the one leaving the
lowest potential kept), n_init restarts keeping the lowest inertia, at most 300 iterations, stop when the
centres move by at most 1e-4 × the mean feature variance (scikit-learn's rule), then a last assignment.
scikit-learn runs its default algorithm ("lloyd"); textkit runs Hamerly's bounds, which give Lloyd's labels.
The random numbers differ, so the seeds and hence the local optimum reached differ.

fit s: wall seconds of the k-means fit alone (all n_init restarts, k-means++ seeding included), data in memory.
textkit runs on one thread; scikit-learn with its default OpenMP threads, and limited to one (threadpoolctl).
iterations: Lloyd iterations of the restart kept. ARI: adjusted Rand index against the true groups.
Silhouettes: textkit's silhouette on one seeded sample of 5,000 rows (the same rows for every system), Euclidean.
`;
  const path = writeResult("cluster", body);
  console.log(body);
  console.error(`written to ${path}`);
}

main();
