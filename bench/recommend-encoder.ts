/**
 * npm run bench:recommend-encoder [-- DIR_OF_MOVIELENS_100K] [--encoder DIR] [--users N]
 *
 * The recommender's content model on a pretrained encoder (issue 12), timed beside the
 * content model on hashed TF-IDF in the same run, on MovieLens 100K ua.base (1,682 items,
 * each embedded from its title and genres): training seconds (for the encoder: embedding
 * every item) and the mean time of one `recommend(user, { k: 10 })` over --users users
 * (default 300). Default encoder: samples/encoders/tiny-bert.
 *
 * Time only: the encoders available here (the samples' and the test fixtures) have random
 * weights, so ranking quality on them says nothing about a real pretrained encoder, and
 * none is reported for the encoder rows. The TF-IDF row's NDCG@10 is bench:recommend's.
 */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { readMovieLens } from "../src/data/index.ts";
import { loadEncoder } from "../src/models/encoder/index.ts";
import { type Recommender, trainRecommender } from "../src/models/recommender/index.ts";
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

interface Row {
  what: string;
  fitSeconds: number;
  fitCpu: number;
  recommendMs: number;
  load: number;
}

function timeRecommend(model: Recommender, users: readonly string[]): number {
  const t0 = performance.now();
  for (const user of users) model.recommend(user, { k: 10 });
  return (performance.now() - t0) / users.length;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const dirArg = args.find((a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").startsWith("--"));
  const movielens = resolve(dirArg ?? join(SHARED_DATA, "movielens-100k"));
  if (!existsSync(join(movielens, "ua.base"))) {
    console.error(`no MovieLens 100K in ${movielens} (ua.base, ua.test, u.item): pass its folder`);
    process.exitCode = 1;
    return;
  }
  const encoderDir = resolve(flag("--encoder") ?? join(ROOT, "samples", "encoders", "tiny-bert"));
  const { parts } = await readMovieLens(movielens, ["ua.base"]);
  const train = parts["ua.base"];
  if (train === undefined) throw new Error("ua.base did not load");
  const users = train.users.slice(0, numberArgument("--users", 300));
  const rows: Row[] = [];
  const timed = async (what: string, fit: () => Promise<Recommender>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const model = await fit();
    const fitSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    timeRecommend(model, users.slice(0, 20));
    rows.push({
      what,
      fitSeconds,
      fitCpu: (cpu.user + cpu.system) / 1e6,
      recommendMs: timeRecommend(model, users),
      load: loadavg()[0] ?? 0,
    });
  };
  await timed("content, hashed TF-IDF", () => trainRecommender({ train }, { model: "content" }));
  for (const threads of [1, 2]) {
    const encoder = await loadEncoder(encoderDir, { threads });
    try {
      await timed(
        `content, encoder ${encoder.info.name} (${encoder.dim} dims, ${threads} thread${threads > 1 ? "s" : ""})`,
        () => trainRecommender({ train, encoder, encoderPath: encoderDir }, { model: "content" }),
      );
    } finally {
      await encoder.close();
    }
  }
  const base = rows[0];
  const table = markdownTable(
    [
      "model",
      "items",
      "fit s",
      "fit CPU s",
      "fit vs TF-IDF",
      "recommend ms/user",
      "recommend vs TF-IDF",
      "load (1 min)",
    ],
    rows.map((r) => [
      r.what,
      train.catalog.size,
      fmt.s(r.fitSeconds),
      fmt.s(r.fitCpu),
      `${(r.fitSeconds / (base?.fitSeconds ?? Number.NaN)).toFixed(2)}x`,
      r.recommendMs.toFixed(3),
      `${(r.recommendMs / (base?.recommendMs ?? Number.NaN)).toFixed(2)}x`,
      r.load.toFixed(2),
    ]),
  );
  const body =
    `# bench:recommend-encoder, ${today()}\n\n${machine()}\n\n` +
    `MovieLens 100K ua.base (${train.length} events, ${users.length} users timed). The encoder has random weights: ` +
    "time only, no ranking quality is claimed for it.\n\n" +
    `${table}\n`;
  console.log(body);
  console.log(`written: ${writeResult("recommend-encoder", body)}`);
}

await main();
