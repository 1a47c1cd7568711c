/**
 * npm run bench:recommend [-- MOVIELENS_DIR] [--quick] [--max-events N]
 *
 * textkit's recommenders (popularity, item-kNN, ALS, BPR, content, hybrid) in one run:
 *
 * 1. MovieLens 100K (default ../shared/data/movielens-100k, read in place: not
 *    redistributable; skipped with a message when absent) on two protocols: GroupLens'
 *    ua.base/ua.test (10 ratings per user held out) and a random 25% of each user's items
 *    from u.data (the protocol of the Recommenders benchmark whose numbers SOURCE.md quotes).
 *    Every rating is an interaction; every held-out item is relevant.
 * 2. A generated data set with a planted structure (users drawn to two of 20 topics; items
 *    of a topic share title words; popularity within a topic is Zipf), leave-last-out.
 * 3. Scaling: ALS and BPR fit on 10^5, 10^6 and 10^7 generated events with the same
 *    settings, each size in a fresh process so that its peak RSS is its own; the 10^7 step
 *    runs only if the 10^6 step says it will take under ~3 minutes and 6 GB.
 *
 * No peer runs: no recommender library is installed here (scikit-learn has none, and
 * implicit/LightFM are not reachable); the published MovieLens anchors are quoted with
 * their protocol instead. Times are wall seconds in this process, one thread.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import {
  holdOutPerUser,
  type InteractionSplit,
  leaveLastOut,
  RECOMMENDER_MODELS,
  type RecommenderModel,
  type RecommenderOptions,
  readMovieLens,
  trainRecommender,
} from "../src/index.ts";
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
import { plantedEvents } from "./recommend-data.ts";
import { HTTP_CONNECTIONS, httpServing, type Serving, serveTiming } from "./recommend-serve.ts";

/** Settings of the scaling table: the same at every size. */
const SCALE_SETTINGS: Partial<RecommenderOptions> = { factors: 32, iterations: 5 };
/** The scaling step whose model the serving row measures, and for how long. */
const SERVE_AT_EVENTS = 1e6;
const SERVE_SECONDS = 10;
/** A step is skipped when its projection passes these. */
const MAX_STEP_SECONDS = 180;
const MAX_STEP_MB = 6 * 1024;

interface QualityRow {
  data: string;
  model: string;
  ndcg: number;
  hitRate: number;
  precision: number;
  recall: number;
  map: number;
  coverage: number;
  users: number;
  fitSeconds: number;
  fitCpuSeconds: number;
}

async function scoreModels(
  name: string,
  split: InteractionSplit,
  settings: Partial<Record<RecommenderModel, Partial<RecommenderOptions>>>,
  quick: boolean,
): Promise<{ rows: QualityRow[]; ratings: string }> {
  const rows: QualityRow[] = [];
  let ratings = "";
  for (const model of RECOMMENDER_MODELS) {
    if (quick && (model === "hybrid" || model === "content")) continue;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const m = await trainRecommender({ train: split.train }, { model, ...(settings[model] ?? {}) });
    const fitSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const evaluation = m.evaluate(split.test, { k: 10 });
    const r = evaluation.ranking;
    rows.push({ data: name, model, ...r, fitSeconds, fitCpuSeconds: (cpu.user + cpu.system) / 1e6 });
    if (evaluation.ratings !== null && ratings === "") {
      ratings = `RMSE ${evaluation.ratings.rmse.toFixed(4)}, MAE ${evaluation.ratings.mae.toFixed(4)} on ${evaluation.ratings.count} test ratings`;
    }
    console.error(
      `${name} ${model}: NDCG@10 ${r.ndcg.toFixed(4)} HR@10 ${r.hitRate.toFixed(4)} fit ${fitSeconds.toFixed(2)} s`,
    );
  }
  return { rows, ratings };
}

function qualityTable(rows: QualityRow[]): string {
  const baseline = new Map(rows.filter((r) => r.model === "popularity").map((r) => [r.data, r.ndcg]));
  return markdownTable(
    [
      "data",
      "model",
      "NDCG@10",
      "vs popularity",
      "HR@10",
      "P@10",
      "R@10",
      "MAP@10",
      "coverage",
      "users",
      "fit s",
      "fit CPU s",
    ],
    rows.map((r) => [
      r.data,
      r.model,
      r.ndcg.toFixed(4),
      fmt.ratio(r.ndcg / (baseline.get(r.data) ?? Number.NaN)),
      r.hitRate.toFixed(4),
      r.precision.toFixed(4),
      r.recall.toFixed(4),
      r.map.toFixed(4),
      r.coverage.toFixed(3),
      fmt.int(r.users),
      fmt.s(r.fitSeconds),
      fmt.s(r.fitCpuSeconds),
    ]),
  );
}

/** The models a hybrid combines (its factor model is ALS by default). */
const HYBRID_PARTS = ["als", "knn", "content", "popularity"] as const;

/** Per data set: the hybrid's NDCG@10 beside that of its best part. */
function hybridTable(rows: QualityRow[]): string {
  const out: string[][] = [];
  for (const data of [...new Set(rows.map((r) => r.data))]) {
    const hybrid = rows.find((r) => r.data === data && r.model === "hybrid");
    const parts = rows.filter(
      (r) => r.data === data && (HYBRID_PARTS as readonly string[]).includes(r.model),
    );
    if (hybrid === undefined || parts.length === 0) continue;
    const best = parts.reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
    out.push([
      data,
      hybrid.ndcg.toFixed(4),
      best.model,
      best.ndcg.toFixed(4),
      fmt.ratio(hybrid.ndcg / best.ndcg),
      hybrid.ndcg > best.ndcg ? "yes" : "no",
    ]);
  }
  return out.length === 0
    ? "(no hybrid rows: run without --quick)"
    : markdownTable(
        ["data", "hybrid NDCG@10", "best part", "its NDCG@10", "hybrid / best", "hybrid better"],
        out,
      );
}

/** One scaling step, in this (fresh) process: prints one JSON line. */
async function scaleChild(events: number, model: "als" | "bpr"): Promise<void> {
  const g0 = performance.now();
  const data = plantedEvents(events, 11);
  const generateSeconds = (performance.now() - g0) / 1000;
  let sampled = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const m = await trainRecommender(
    { train: data },
    { model, ...SCALE_SETTINGS },
    {
      onProgress: () => {
        sampled = Math.max(sampled, process.memoryUsage().rss);
      },
    },
  );
  const fitSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  sampled = Math.max(sampled, process.memoryUsage().rss);
  const final = m.runRecord?.final ?? {};
  const serving = events === SERVE_AT_EVENTS ? serveTiming(m, data.users, SERVE_SECONDS, 5) : null;
  const http = events === SERVE_AT_EVENTS ? await httpServing(m, data.users, SERVE_SECONDS, 5) : null;
  console.log(
    JSON.stringify({
      serving,
      http,
      events,
      model,
      users: data.users.length,
      items: data.catalog.size,
      interactions: final["interactions"],
      generateSeconds,
      fitSeconds,
      fitCpuSeconds: (cpu.user + cpu.system) / 1e6,
      sampledRssMb: sampled / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

interface ScaleResult {
  serving: Serving | null;
  http: Serving | null;
  events: number;
  model: string;
  users: number;
  items: number;
  interactions: number;
  fitSeconds: number;
  fitCpuSeconds: number;
  sampledRssMb: number;
  peakRssMb: number;
}

function runScaleStep(events: number, model: "als" | "bpr"): ScaleResult | string {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench", "recommend.ts"), "--scale-child", String(events), model],
    { encoding: "utf8", timeout: 600_000, maxBuffer: 1 << 24 },
  );
  if (r.status !== 0)
    return `failed (${r.signal ?? `exit ${r.status}`}): ${r.stderr.trim().split("\n").at(-1) ?? ""}`;
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ScaleResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const child = args.indexOf("--scale-child");
  if (child >= 0) {
    await scaleChild(Number(args[child + 1]), args[child + 2] === "bpr" ? "bpr" : "als");
    return;
  }
  const quick = args.includes("--quick");
  const loadAtStart = loadavg();
  const maxEvents = numberArgument("--max-events", quick ? 1e6 : 1e7);
  const dirArg = args.find((a, i) => !a.startsWith("--") && !/^\d/.test(a) && args[i - 1] !== "--max-events");
  const movielens = resolve(dirArg ?? join(SHARED_DATA, "movielens-100k"));
  const sections: string[] = [];
  const quality: QualityRow[] = [];
  const notes: string[] = [];

  // 1. MovieLens 100K
  if (existsSync(join(movielens, "u.data")) && existsSync(join(movielens, "ua.base"))) {
    const { parts } = await readMovieLens(movielens, ["ua.base", "ua.test", "u.data"]);
    const base = parts["ua.base"]!;
    const ua: InteractionSplit = { train: base, test: parts["ua.test"]!, description: "ua.base / ua.test" };
    const random = holdOutPerUser(parts["u.data"]!, { fraction: 0.25, seed: 1 });
    for (const [name, split] of [
      ["ml-100k ua.base/ua.test", ua],
      ["ml-100k random 75/25", random],
    ] as const) {
      const scored = await scoreModels(name, split, {}, quick);
      quality.push(...scored.rows);
      if (scored.ratings !== "")
        notes.push(`- ${name}: rating baseline (mean + user + item bias) ${scored.ratings}.`);
    }
    const source = join(movielens, "SOURCE.md");
    const published = existsSync(source)
      ? (readFileSync(source, "utf8")
          .split("\n")
          .find((l) => l.startsWith("Published:")) ?? "")
      : "";
    sections.push(
      `MovieLens 100K: ${movielens} (${base.catalog.size} movies; ua.base ${base.length} ratings, ua.test ${parts["ua.test"]!.length}; u.data ${parts["u.data"]!.length}).`,
      published === ""
        ? ""
        : `Published anchors (from its SOURCE.md): ${published.replace(/^Published:\s*/, "")}`,
    );
  } else {
    const message = `skip MovieLens: no u.data and ua.base in ${movielens}`;
    console.error(message);
    sections.push(`MovieLens 100K: ${message}.`);
  }

  // 2. Planted structure
  const planted = plantedEvents(quick ? 50_000 : 200_000, 3);
  const plantedSplit = leaveLastOut(planted);
  quality.push(...(await scoreModels("generated, planted topics", plantedSplit, {}, quick)).rows);
  sections.push(`Generated: ${planted.source}, leave-last-out per user.`);

  // 3. Scaling of ALS and BPR
  const scaleRows: (string | number)[][] = [];
  const servingRows: string[][] = [];
  for (const model of ["als", "bpr"] as const) {
    let last: ScaleResult | null = null;
    for (const events of [1e5, 1e6, 1e7]) {
      if (events > maxEvents) {
        scaleRows.push([
          model,
          fmt.int(events),
          "",
          "",
          "",
          "",
          "",
          `not run (--max-events ${fmt.int(maxEvents)})`,
        ]);
        continue;
      }
      if (last !== null) {
        const factor = events / last.events;
        const seconds = last.fitSeconds * factor;
        const mb = last.peakRssMb * factor;
        if (seconds > MAX_STEP_SECONDS || mb > MAX_STEP_MB) {
          scaleRows.push([
            model,
            fmt.int(events),
            "",
            "",
            "",
            "",
            "",
            "",
            `skipped: projected ${fmt.s(seconds)} s, ${fmt.int(mb)} MB from the step before (bound ${MAX_STEP_SECONDS} s, ${MAX_STEP_MB} MB)`,
          ]);
          continue;
        }
      }
      console.error(`scaling ${model} at ${fmt.int(events)} events...`);
      const result = runScaleStep(events, model);
      if (typeof result === "string") {
        scaleRows.push([model, fmt.int(events), "", "", "", "", "", "", result]);
        continue;
      }
      last = result;
      for (const [how, sv] of [
        ["in-process calls", result.serving],
        [`HTTP, ${HTTP_CONNECTIONS} connections`, result.http],
      ] as const) {
        if (sv === null) continue;
        servingRows.push([
          model,
          how,
          fmt.int(events),
          fmt.int(sv.calls),
          fmt.int(sv.perSecond),
          sv.p50Ms.toFixed(2),
          sv.p99Ms.toFixed(2),
          sv.errors === undefined ? "" : fmt.int(sv.errors),
        ]);
      }
      scaleRows.push([
        model,
        fmt.int(events),
        `${fmt.int(result.users)} / ${fmt.int(result.items)}`,
        fmt.int(result.interactions),
        fmt.s(result.fitSeconds),
        fmt.s(result.fitCpuSeconds),
        fmt.s(result.fitSeconds / (events / 1e6)),
        fmt.int(result.peakRssMb),
        `sampled RSS during fit ${fmt.int(result.sampledRssMb)} MB`,
      ]);
      console.error(`  ${fmt.s(result.fitSeconds)} s, peak ${fmt.int(result.peakRssMb)} MB`);
    }
  }

  const body = [
    `# bench:recommend, ${today()}`,
    "",
    `Machine: ${machine()}. One thread. Command: npm run bench:recommend${args.length > 0 ? ` -- ${args.join(" ")}` : ""}.`,
    "",
    `Load average (1, 5, 15 min) at the start: ${loadAtStart.map((x) => x.toFixed(2)).join(", ")}; at the end:`,
    `${loadavg()
      .map((x) => x.toFixed(2))
      .join(
        ", ",
      )} (2 cores shared with other work: wall seconds are inflated; NDCG and ratios are what count).`,
    "",
    "## Ranking quality and fit time (k = 10, seen items excluded)",
    "",
    qualityTable(quality),
    "",
    ...sections.filter((s) => s !== "").map((s) => `- ${s}`),
    ...notes,
    "- Settings: the defaults of every model (ALS 64 factors, 15 passes, reg 20, alpha 0.5; BPR 64 factors, 60 passes,",
    "  lr 0.05, reg 0.01; item-kNN 100 neighbours, shrink 10; content hashed TF-IDF; hybrid ALS + kNN + content +",
    "  popularity with a linear ranker learned by coordinate ascent on NDCG@10 over a random 10% of each user's",
    "  training items, the parts fitted on the other 90% for it, then refitted on all). The ALS and BPR",
    "  regularisation defaults were chosen on ua.base/ua.test, so that column is not an untouched test.",
    "- vs popularity: NDCG@10 divided by the popularity model's on the same split (all-time counts, no decay).",
    "- The published anchors use other protocols (LightFM: ua split, precision@10 with ratings >= 4 as positives;",
    "  Recommenders: 75/25 stratified random split, its own ALS settings); compare with care.",
    "",
    "## The hybrid against its best part (NDCG@10, same splits as above)",
    "",
    hybridTable(quality),
    "",
    "The hybrid's parts are ALS, item-kNN, content and popularity; its ranker is learned on a random 10% of each",
    "user's training items with the parts fitted on the rest (the test split is never seen); when no blend beats",
    "ALS alone on that holdout, the hybrid ranks by ALS alone and its run record says so.",
    "",
    "## Serving: one user's top 10 with reasons, on the 10^6-event model",
    "",
    servingRows.length === 0
      ? `(not run: the 10^6-event step did not run)`
      : markdownTable(
          ["model", "how", "events", "calls", "calls/s", "p50 ms", "p99 ms", "errors"],
          servingRows,
        ),
    "",
    `In-process: recommend(user, { k: 10 }) with reasons for random known users, back to back for ${SERVE_SECONDS} s in`,
    "the scaling step's process, one thread; the list and its reasons are checked on every call. HTTP: the same",
    "model saved and served by `textkit serve` (one worker, auth off, request logging on) on loopback;",
    `autocannon in the scaling step's process keeps ${HTTP_CONNECTIONS} connections busy with POST /v1/models/rec/recommend`,
    `({"user", "k": 10}) over 500 random known users for ${SERVE_SECONDS} s after a 3 s warm-up (the first answer is`,
    "checked for ten items with reasons). Load generator and server share the machine's 2 cores.",
    "",
    "## Scaling: fit time and memory from 10^5 to 10^7 events (generated, planted topics)",
    "",
    markdownTable(
      [
        "model",
        "events",
        "users / items",
        "interactions",
        "fit s",
        "fit CPU s",
        "s per 10^6 events",
        "peak RSS MB",
        "notes",
      ],
      scaleRows,
    ),
    "",
    "fit CPU s is the process's user + system CPU time during the fit: this machine's 2 cores were shared with",
    "other work during the run, so wall seconds can exceed it; s per 10^6 events is wall seconds.",
    "",
    `Settings at every size: ${JSON.stringify(SCALE_SETTINGS)} (the rest default). Each size runs in a fresh`,
    "process; peak RSS is that process's maximum resident set (process.resourceUsage().maxRSS), which includes",
    "the generated events (about 29 bytes each in columns); the sampled RSS is process.memoryUsage().rss at",
    "every progress report during the fit. interactions: distinct (user, item) pairs after summing repeats.",
    "",
  ].join("\n");
  console.log(body);
  if (!quick) console.error(`written to ${writeResult("recommend", body)}`);
}

await main();
