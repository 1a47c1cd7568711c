/**
 * Experiment tracking end to end: every training command records its run in the runs
 * database (one per family, on the bundled samples), and `textkit runs` lists, shows,
 * compares, exports, deletes and repeats them.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openDatabase, RunStore, type StoredRun } from "../src/store/index.ts";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, writeIntentCsv } from "./support/encoder-data.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-runs-"));
after(() => rmSync(root, { recursive: true, force: true }));
const db = join(root, "runs.db");

/** `textkit ARGS --runs-db db`, which must succeed. */
async function ok(args: string[]): Promise<string> {
  const r = await runCli([...args, "--runs-db", db]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function allRuns(): Promise<StoredRun[]> {
  const handle = await openDatabase(db);
  try {
    return (await (await RunStore.open(handle)).list({ limit: 1000 })).runs;
  } finally {
    await handle.close();
  }
}

/** The newest top-level run, which must be finished and of `family`. */
async function newest(family: string): Promise<StoredRun> {
  const run = (await allRuns()).find((r) => r.parentId === null);
  assert.ok(run !== undefined);
  assert.equal(run.family, family);
  assert.equal(run.status, "finished", run.error ?? "");
  assert.ok(run.argv !== null && run.command.startsWith("textkit "));
  assert.ok(run.host !== "" && run.pid > 0 && run.textkitVersion !== "");
  return run;
}

function hashed(run: StoredRun, role: string): void {
  const file = run.data.find((d) => d.role === role);
  assert.ok(file !== undefined, `no ${role} data in ${JSON.stringify(run.data)}`);
  assert.match(file.sha256 ?? "", /^[0-9a-f]{64}$/);
}

describe("every trainer records its run", () => {
  it("classifier: params with resolved defaults, data with hashes and rows, epochs, per-class report", async () => {
    await ok([
      "classify",
      "train",
      "--train",
      "samples/intents/train.csv",
      "--dev",
      "samples/intents/dev.csv",
      "--test",
      "samples/intents/test.csv",
      "--epochs",
      "4",
      "--out",
      join(root, "c1"),
      "-q",
    ]);
    const run = await newest("classifier");
    assert.equal(run.params["epochs"], 4);
    assert.equal(typeof run.params["dim"], "number", "a default the command line did not give");
    hashed(run, "train");
    assert.ok((run.data.find((d) => d.role === "train")?.rows ?? 0) > 100);
    assert.equal(run.summary["dev.accuracy"]?.bestStep !== undefined, true);
    assert.ok(run.summary["test.accuracy"] !== undefined);
    assert.equal(run.artifact, join(root, "c1"));
    assert.ok(Array.isArray((run.final["test"] as { report: { labels: unknown[] } }).report.labels));
    // The confusion matrices of dev and test, rows and columns in the model's label order, and
    // the artifact's digest as a tag (the Models page finds the run by it).
    for (const part of ["dev", "test"]) {
      const confusion = (run.final[part] as { confusion: { labels: string[]; matrix: number[][] } })
        .confusion;
      assert.equal(confusion.matrix.length, confusion.labels.length);
      const examples = confusion.matrix.flat().reduce((a, b) => a + b, 0);
      const report = (run.final[part] as { report: { labels: { support: number }[] } }).report;
      assert.equal(
        examples,
        report.labels.reduce((a, l) => a + l.support, 0),
        part,
      );
      assert.ok(examples > 0);
    }
    const manifest = JSON.parse(readFileSync(join(root, "c1", "manifest.json"), "utf8")) as {
      digest: string;
    };
    assert.ok(run.tags.includes(`artifact:${manifest.digest}`), run.tags.join(", "));
  });

  it("encoder head: its epochs, its dev report and confusion matrix", async () => {
    const work = join(root, "head-data");
    mkdirSync(work, { recursive: true });
    const train = writeIntentCsv(work, "train.csv", 120, 1);
    const dev = writeIntentCsv(work, "dev.csv", 40, 2);
    const encoder = join(work, "encoder");
    cpSync(BERT_FIXTURE, encoder, { recursive: true });
    await ok([
      "classify",
      "train",
      "--train",
      train,
      "--dev",
      dev,
      "--out",
      join(root, "head"),
      "--encoder",
      encoder,
      "--hidden",
      "8",
      "--epochs",
      "5",
      "--encoder-threads",
      "1",
      "-q",
    ]);
    const run = await newest("classifier");
    assert.equal(run.artifact, join(root, "head"));
    assert.ok(run.summary["dev.accuracy"] !== undefined);
    const devPart = run.final["dev"] as { report: { labels: unknown[] }; confusion: { matrix: number[][] } };
    assert.ok(devPart.report.labels.length >= 2);
    assert.equal(
      devPart.confusion.matrix.flat().reduce((a, b) => a + b, 0),
      40,
    );
  });

  it("classifier autotune: the search with its trials as child runs", async () => {
    await ok([
      "classify",
      "autotune",
      "--train",
      "samples/intents/train.csv",
      "--dev",
      "samples/intents/dev.csv",
      "--max-trials",
      "3",
      "--out",
      join(root, "tuned"),
      "-q",
    ]);
    const parent = await newest("classifier");
    const children = (await allRuns()).filter((r) => r.parentId === parent.id);
    assert.equal(children.length, 3);
    assert.ok(children.every((c) => c.status === "finished" && Object.keys(c.params).length > 0));
  });

  it("tagger, regressor, forecast, clusters, recommender, vectors", async () => {
    const cases: [string, string[], string][] = [
      [
        "tagger",
        ["tag", "train", "--train", "samples/ner-en/dev.conll", "--epochs", "2", "--out", join(root, "t")],
        "train",
      ],
      [
        "regressor",
        [
          "regress",
          "train",
          "--train",
          "samples/regression/houses.csv",
          "--target",
          "price",
          "--categorical",
          "city",
          "--out",
          join(root, "r"),
        ],
        "train",
      ],
      [
        "forecast",
        [
          "forecast",
          "--input",
          "samples/forecast/mentions.csv",
          "--time-column",
          "date",
          "--value-column",
          "mentions",
          "--horizon",
          "7",
        ],
        "input",
      ],
      [
        "cluster",
        ["cluster", "--input", "samples/cluster/posts.txt", "--k", "3", "--out", join(root, "k")],
        "input",
      ],
      [
        "recommender",
        [
          "recommend",
          "train",
          "--items",
          "samples/recommend/items.csv",
          "--events",
          "samples/recommend/events.csv",
          "--model",
          "als",
          "--out",
          join(root, "rec"),
        ],
        "events",
      ],
      [
        "vectors",
        [
          "vectors",
          "train",
          "--input",
          "samples/cluster/posts.txt",
          "--out",
          join(root, "v.vec"),
          "--dim",
          "10",
          "--min-count",
          "2",
          "--epochs",
          "1",
        ],
        "input",
      ],
    ];
    for (const [family, args, role] of cases) {
      await ok([...args, "-q"].filter((a) => !(family === "forecast" && a === "-q")));
      const run = await newest(family);
      hashed(run, role);
      assert.ok(Object.keys(run.params).length > 0, family);
      if (family !== "forecast") assert.ok(run.artifact !== null && existsSync(run.artifact), family);
      if (family === "tagger" || family === "recommender")
        assert.ok(run.summary["train.loss"] !== undefined, family);
    }
  });

  it("assistant: the assistant with its intent classifier as a child run", async () => {
    await ok([
      "assist",
      "train",
      "--knowledge",
      "samples/assist",
      "--out",
      join(root, "a"),
      "--epochs",
      "3",
      "--dim",
      "20",
      "--quiet",
    ]);
    const run = await newest("assistant");
    const children = (await allRuns()).filter((r) => r.parentId === run.id);
    assert.deepEqual(
      children.map((c) => c.family),
      ["classifier"],
    );
  });

  it("demo: its trainings land in the database its server uses, as children of the demo's run", async () => {
    const out = join(root, "demo");
    const r = await runCli(["demo", "--only", "intents", "--out", out, "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    const handle = await openDatabase(join(out, "data", "textkit.db"));
    try {
      const runs = (await (await RunStore.open(handle)).list()).runs;
      const demo = runs.find((x) => x.family === "demo");
      assert.ok(demo !== undefined && demo.status === "finished");
      const child = runs.find((x) => x.parentId === demo.id);
      assert.equal(child?.family, "classifier");
      assert.ok(child.summary["dev.accuracy"] !== undefined);
    } finally {
      await handle.close();
    }
  });

  it("a training whose process is killed shows as killed, not running", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "classify",
        "train",
        "--train",
        "samples/intents/train.csv",
        "--epochs",
        "100000",
        "--out",
        join(root, "never"),
        "-q",
        "--runs-db",
        db,
      ],
      { stdio: "ignore" },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      for (let i = 0; i < 600; i++) {
        const running = (await allRuns()).find((x) => x.status === "running");
        if (running !== undefined) break;
        await sleep(50);
      }
      assert.equal((await allRuns())[0]?.status, "running");
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const run = (await allRuns())[0]!;
    assert.equal(run.status, "killed");
    assert.match(run.error ?? "", new RegExp(`process ${child.pid}`));
  });

  it("a failed training is recorded as failed, with the error", async () => {
    const r = await runCli([
      "classify",
      "train",
      "--train",
      "samples/intents/train.csv",
      "--label-column",
      "nope",
      "--out",
      join(root, "bad"),
      "--runs-db",
      db,
    ]);
    assert.equal(r.code, 1);
    const run = (await allRuns())[0]!;
    assert.equal(run.status, "failed");
    assert.match(run.error ?? "", /nope/);
  });

  it("--no-runs and TEXTKIT_RUNS_DB=off record nothing; TEXTKIT_RUNS_DB chooses the database", async () => {
    const other = join(root, "env.db");
    const args = [
      "regress",
      "train",
      "--train",
      "samples/regression/houses.csv",
      "--target",
      "price",
      "--out",
      join(root, "r2"),
      "-q",
    ];
    assert.equal((await runCli([...args, "--no-runs"], { env: { TEXTKIT_RUNS_DB: other } })).code, 0);
    assert.equal(existsSync(other), false);
    assert.equal((await runCli(args, { env: { TEXTKIT_RUNS_DB: other } })).code, 0);
    assert.equal(existsSync(other), true);
  });
});

describe("textkit runs", () => {
  it("lists with filters and sorts, shows, compares, exports, deletes", async () => {
    const list = JSON.parse(await ok(["runs", "list", "--family", "classifier", "--top-level", "--json"]));
    assert.ok(list.total >= 2);
    assert.ok(list.runs.every((r: StoredRun) => r.family === "classifier" && r.parentId === null));
    const text = await ok(["runs", "list", "--sort", "metrics.dev.accuracy", "--where", "params.epochs>=1"]);
    assert.match(text, /^id\s+family\s+status/);
    const bad = await runCli(["runs", "list", "--where", "params.colour=red", "--runs-db", db]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /RUN_FIELD_UNKNOWN/);

    const [a, b] = (await allRuns()).filter(
      (r) => r.family === "classifier" && r.parentId === null && r.status === "finished",
    );
    assert.ok(a !== undefined && b !== undefined);
    const show = await ok(["runs", "show", a.id.slice(0, 8)]);
    assert.match(show, /sha256/);
    assert.match(show, /curves:/);
    const compare = JSON.parse(await ok(["runs", "compare", a.id, b.id, "--json"]));
    assert.ok(compare.params.every((p: { differs: boolean }) => p.differs));
    assert.ok(compare.metrics.some((m: { name: string }) => m.name === "dev.accuracy"));
    const across = (await allRuns()).find((r) => r.family === "regressor")!;
    const refused = await runCli(["runs", "compare", a.id, across.id, "--runs-db", db]);
    assert.match(refused.stderr, /RUN_COMPARE_FAMILIES/);

    const csv = join(root, "runs.csv");
    await ok(["runs", "export", "--family", "classifier", "--format", "csv", "--out", csv]);
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    assert.match(lines[0]!, /^id,parent_id,family/);
    assert.ok(lines.length > 2);
    writeFileSync(join(root, "taken.json"), "keep");
    const exists = await runCli([
      "runs",
      "export",
      "--format",
      "json",
      "--out",
      join(root, "taken.json"),
      "--runs-db",
      db,
    ]);
    assert.match(exists.stderr, /RUN_EXPORT_EXISTS/);
    assert.equal(readFileSync(join(root, "taken.json"), "utf8"), "keep");

    const before = (await allRuns()).length;
    await ok(["runs", "delete", b.id]);
    assert.equal(
      (await allRuns()).length,
      before - 1 - (await allRuns()).filter((r) => r.parentId === b.id).length,
    );
    assert.match((await runCli(["runs", "show", b.id, "--runs-db", db])).stderr, /RUN_NOT_FOUND/);
  });

  it("retrain repeats a run from its record into the same model bytes, and refuses changed data", async () => {
    const train = join(root, "houses.csv");
    writeFileSync(train, readFileSync("samples/regression/houses.csv"));
    await ok(["regress", "train", "--train", train, "--target", "price", "--out", join(root, "orig"), "-q"]);
    const run = await newest("regressor");
    const result = JSON.parse(await ok(["runs", "retrain", run.id, "--out", join(root, "again"), "--json"]));
    assert.equal(result.sameModelBytes, true, JSON.stringify(result));
    assert.equal((await newest("regressor")).name, join(root, "again"));
    appendFileSync(train, "\n");
    const changed = await runCli(["runs", "retrain", run.id, "--out", join(root, "third"), "--runs-db", db]);
    assert.match(changed.stderr, /RUN_NOT_REPRODUCIBLE/);
  });
});
