/**
 * One CRF training epoch (SGD, BIO) on the generated 120-type set (bench/tag-generated.ts,
 * 241 tags), timed for this tree's tagger and, with `--baseline DIR`, for the tagger of
 * another checkout (for example `git archive main src | tar -x -C DIR`, plus a link
 * DIR/node_modules to this tree's) on the same generated data. Each epoch runs in a fresh
 * Node process: two trees loaded into one process were measured unequally (the second
 * copy's identical Viterbi ran slower). Reported: seconds per epoch (wall and CPU), the
 * allowed-pair operations per CPU second (pairs × tokens × 3 passes: forward, backward,
 * expected counts), Viterbi decoding of the dev set, and the epoch's summed loss (equal
 * up to rounding when both trees compute the same model).
 *
 *   npm run bench:tag-crf-epoch -- [--types 120] [--sentences 4500] [--repeat 1] [--baseline DIR] [--result NAME]
 */
import { execFileSync, execSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TaggedDataset } from "../src/data/index.ts";
import type { EncodedSentences } from "../src/models/tagger/encode.ts";
import { fmt, machine, markdownTable, numberArgument, ROOT, writeResult } from "./common.ts";
import { generatedTaggedSets } from "./tag-generated.ts";

type Tree = {
  tagSet: typeof import("../src/models/tagger/tag-set.ts");
  encode: typeof import("../src/models/tagger/encode.ts");
  features: typeof import("../src/models/tagger/features.ts");
  crf: typeof import("../src/models/tagger/crf.ts");
  decoder: typeof import("../src/models/tagger/decoder.ts");
};

async function loadTree(root: string): Promise<Tree> {
  const at = (file: string) => pathToFileURL(resolve(root, "src/models/tagger", file)).href;
  return {
    tagSet: await import(at("tag-set.ts")),
    encode: await import(at("encode.ts")),
    features: await import(at("features.ts")),
    crf: await import(at("crf.ts")),
    decoder: await import(at("decoder.ts")),
  };
}

interface EpochResult {
  seconds: number;
  /** CPU seconds of the epoch (less disturbed by other processes than wall time). */
  cpuSeconds: number;
  loss: number;
  tokens: number;
  pairs: number;
  decodeSeconds: number;
  devTokens: number;
}

/** One epoch over the first `sentences` training sentences at a fixed schedule, then a dev decode. */
function epoch(
  tree: Tree,
  sets: { train: TaggedDataset; dev: TaggedDataset },
  sentences: number,
): EpochResult {
  const types = [...sets.train.types];
  const set = tree.tagSet.buildTagSet(types, "bio");
  const lookup = tree.tagSet.tagIndex(set);
  const features = new tree.features.TaggerFeatures("en", { gazetteer: null, clusters: null });
  const { encoded, table } = tree.encode.encodeTraining(sets.train.sentences, features, lookup, "bio", 1);
  const dev = tree.encode.encodeHeldOut(sets.dev, features, table);
  const T = set.tags.length;
  const count = Math.min(sentences, encoded.sentenceStart.length - 1);
  const sgd = new tree.crf.CrfSgd(table.rows, set, 1, encoded.sentenceStart.length - 1, {
    seen: tree.crf.seenPairs(encoded, table.rows, T),
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let loss = 0;
  for (let s = 0; s < count; s++) {
    const first = encoded.sentenceStart[s] ?? 0;
    const n = (encoded.sentenceStart[s + 1] ?? 0) - first;
    const l = sgd.step(encoded as EncodedSentences, first, n, sgd.rate(0.1, s));
    if (!Number.isNaN(l)) loss += l;
  }
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(c0);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const decoder = new tree.decoder.Decoder(set);
  const t1 = performance.now();
  decoder.score(sets.dev, dev, sgd.weights());
  const decodeSeconds = (performance.now() - t1) / 1000;
  return {
    seconds,
    cpuSeconds,
    loss,
    tokens: encoded.sentenceStart[count] ?? 0,
    pairs: set.pairs,
    decodeSeconds,
    devTokens: dev.tokenStart.length - 1,
  };
}

function row(label: string, r: EpochResult): (string | number)[] {
  return [
    label,
    r.pairs,
    r.tokens,
    fmt.s(r.seconds),
    fmt.s(r.cpuSeconds),
    fmt.int((r.pairs * r.tokens * 3) / r.cpuSeconds / 1e6),
    r.loss.toFixed(4),
    fmt.s(r.decodeSeconds),
    fmt.int(r.devTokens / r.decodeSeconds),
  ];
}

/** Runs one epoch of `root`'s tagger in a fresh Node process (no JIT state shared between trees). */
function epochInChild(root: string, types: number, sentences: number): EpochResult {
  const out = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--child",
      root,
      "--types",
      String(types),
      "--sentences",
      String(sentences),
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const last = out.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as EpochResult;
}

async function main(): Promise<void> {
  const types = numberArgument("--types", 120);
  const sentences = numberArgument("--sentences", 4500);
  const child = process.argv.indexOf("--child");
  if (child >= 0) {
    const tree = await loadTree(process.argv[child + 1] ?? ROOT);
    console.log(JSON.stringify(epoch(tree, generatedTaggedSets(types), sentences)));
    return;
  }
  const repeat = numberArgument("--repeat", 1);
  const at = process.argv.indexOf("--baseline");
  const baseline = at >= 0 ? process.argv[at + 1] : undefined;
  const trees: { label: string; root: string }[] = [];
  if (baseline !== undefined) trees.push({ label: `baseline (${baseline})`, root: resolve(baseline) });
  trees.push({ label: "this tree", root: ROOT });
  const rows: (string | number)[][] = [];
  const load = () =>
    execSync("uptime", { encoding: "utf8" })
      .trim()
      .replace(/.*load average: /, "");
  const loads: string[] = [load()];
  for (let r = 0; r < repeat; r++) {
    for (const { label, root } of trees) {
      rows.push(row(label, epochInChild(root, types, sentences)));
      loads.push(load());
    }
  }
  const table = markdownTable(
    [
      "code",
      "allowed pairs",
      "tokens",
      "epoch wall s",
      "epoch CPU s",
      "M pair-ops per CPU s",
      "epoch loss",
      "dev Viterbi s",
      "dev tokens/s",
    ],
    rows,
  );
  const body = [
    `# CRF epoch, generated ${types} types (BIO), ${sentences} sentences`,
    "",
    `Machine: ${machine()}. Load averages (1, 5, 15 min) before and after each row: ${loads.join(" → ")}.`,
    "",
    table,
    "",
  ].join("\n");
  console.log(body);
  const name = process.argv.indexOf("--result");
  if (name >= 0) console.log(`wrote ${writeResult(process.argv[name + 1] ?? "tag-crf-epoch", body)}`);
}

await main();
