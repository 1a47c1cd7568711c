/**
 * End-to-end tests of `textkit recommend train | eval | for` on generated behaviour data
 * with a planted structure (two user groups, each engaging with its own group of items),
 * and on small broken files.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";
import { plantedCsv, plantedData } from "./support/recommend-data.ts";

const scratch = scratchFiles("cli-recommend");
const planted = plantedData();
const csv = plantedCsv(planted);
const items = scratch.write(".csv", csv.items);
const events = scratch.write(".csv", csv.events);

interface Line {
  user: string;
  rank: number;
  item: string;
  score: number;
  title: string;
  category: string;
  reason: { kind: string; text: string; item?: string };
}

function lines(stdout: string): Line[] {
  return stdout
    .trim()
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Line);
}

const QUICK: Record<string, string[]> = {
  als: ["--factors", "8", "--iterations", "8"],
  bpr: ["--factors", "8", "--iterations", "40"],
  knn: [],
};

describe("textkit recommend on planted groups", () => {
  for (const model of ["als", "bpr", "knn"] as const) {
    it(`${model}: trains, prints the metrics beside popularity, and puts each user's own group first`, async () => {
      const out = join(scratch.path, model);
      const r = await runCli([
        "recommend",
        "train",
        "--items",
        items,
        "--events",
        events,
        "--model",
        model,
        "--out",
        out,
        ...QUICK[model]!,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^train: 420 events .* by 60 users on 40 of 40 items/m);
      assert.match(r.stdout, /^test \(leave-last-out per user\): 60 events, 60 users scored at k=10/);
      const row = (name: string) => {
        const m = new RegExp(`^${name}\\s+60\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)`, "m").exec(
          r.stdout,
        );
        assert.ok(m !== null, r.stdout);
        return { hitRate: Number(m[1]), ndcg: Number(m[4]) };
      };
      assert.ok(row(model).ndcg > row("popularity").ndcg, r.stdout);
      assert.ok(existsSync(join(out, "manifest.json")) && existsSync(join(out, "run.json")));
      const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
      assert.equal(run.family, "recommender");
      assert.equal(run.final.test.ndcg.toFixed(4), row(model).ndcg.toFixed(4));

      const users = ["space-user-0", "space-user-7", "garden-user-3", "garden-user-11"];
      const p = await runCli([
        "recommend",
        "for",
        "--model",
        out,
        "--k",
        "3",
        ...users.flatMap((u) => ["--user", u]),
      ]);
      assert.equal(p.code, 0, p.stderr);
      const recs = lines(p.stdout);
      assert.equal(recs.length, 12);
      for (const rec of recs) {
        assert.equal(planted.itemGroup.get(rec.item), planted.userGroup.get(rec.user), JSON.stringify(rec));
        assert.equal(rec.reason.kind, "liked");
        assert.match(rec.reason.text, /^because you liked "/);
      }
      assert.deepEqual(
        recs.filter((x) => x.user === users[0]).map((x) => x.rank),
        [1, 2, 3],
      );
    });
  }

  it("evaluates as JSON with the numbers training recorded", async () => {
    const out = join(scratch.path, "als-json");
    const r = await runCli([
      "recommend",
      "train",
      "--items",
      items,
      "--events",
      events,
      "--out",
      out,
      ...QUICK["als"]!,
      "--split",
      "latest:0.25",
      "--json",
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const result = JSON.parse(r.stdout);
    assert.equal(result.options.model, "als");
    assert.ok(result.test.als.ndcg > result.test.popularity.ndcg);
    const e = await runCli(["recommend", "eval", "--model", out, "--events", events, "--json"]);
    assert.equal(e.code, 0, e.stderr);
    const evaluation = JSON.parse(e.stdout);
    assert.equal(evaluation.events, 480);
    assert.equal(evaluation.k, 10);
    assert.ok(evaluation.ndcg > 0);
  });

  it("filters by category, includes seen items on request, and gives an unknown user popular items", async () => {
    const out = join(scratch.path, "knn");
    const c = await runCli([
      "recommend",
      "for",
      "--model",
      out,
      "--user",
      "space-user-0",
      "--category",
      "garden",
    ]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(lines(c.stdout).every((x) => x.category === "garden"));
    const seen = await runCli([
      "recommend",
      "for",
      "--model",
      out,
      "--user",
      "space-user-0",
      "--include-seen",
      "--k",
      "40",
    ]);
    assert.equal(lines(seen.stdout).length, 40);
    const cold = await runCli(["recommend", "for", "--model", out, "--user", "somebody-new", "--k", "2"]);
    assert.ok(
      lines(cold.stdout).every((x) => x.reason.kind === "popular" && /^popular in /.test(x.reason.text)),
    );
  });
});

describe("textkit recommend refuses bad input with the file and line, and writes nothing", () => {
  const goodItems = "id,title,category\na,Alpha,x\nb,Beta,y\n";
  const header = "user,item,type,value,timestamp\n";
  const cases: {
    name: string;
    items?: string;
    events?: string;
    code: string;
    line: number;
    which: "items" | "events";
  }[] = [
    {
      name: "unknown item",
      events: `${header}u1,a,view,,1770000000\nu1,zz,view,,1770000100\n`,
      code: "DATA_UNKNOWN_ITEM",
      line: 3,
      which: "events",
    },
    {
      name: "bad timestamp",
      events: `${header}u1,a,view,,yesterday\n`,
      code: "DATA_BAD_TIMESTAMP",
      line: 2,
      which: "events",
    },
    {
      name: "non-numeric value",
      events: `${header}u1,a,view,,1770000000\nu1,b,rating,lots,1770000100\n`,
      code: "DATA_BAD_VALUE",
      line: 3,
      which: "events",
    },
    {
      name: "unknown type",
      events: `${header}u1,a,teleport,,1770000000\n`,
      code: "DATA_UNKNOWN_EVENT_TYPE",
      line: 2,
      which: "events",
    },
    {
      name: "missing column",
      events: "person,item\nu1,a\n",
      code: "DATA_MISSING_COLUMN",
      line: 1,
      which: "events",
    },
    {
      name: "duplicate id",
      items: "id,title\na,One\nb,Two\na,Three\n",
      code: "DATA_DUPLICATE_ID",
      line: 4,
      which: "items",
    },
    {
      name: "bad created time",
      items: "id,created\na,2026-02-30\n",
      code: "DATA_BAD_TIMESTAMP",
      line: 2,
      which: "items",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const itemsPath = scratch.write(".csv", c.items ?? goodItems);
      const eventsPath = scratch.write(".csv", c.events ?? `${header}u1,a,view,,1770000000\n`);
      const out = join(scratch.path, `bad-${c.name.replace(/ /g, "-")}`);
      const r = await runCli([
        "recommend",
        "train",
        "--items",
        itemsPath,
        "--events",
        eventsPath,
        "--out",
        out,
      ]);
      assert.equal(r.code, 1, r.stderr);
      const file = c.which === "items" ? itemsPath : eventsPath;
      assert.ok(r.stderr.includes(`error: ${file}:${c.line}: `), r.stderr);
      assert.ok(r.stderr.includes(`[${c.code}]`), r.stderr);
      assert.match(r.stderr, /\nhint: /);
      assert.equal(r.stdout, "");
      assert.equal(existsSync(out), false);
    });
  }

  it("bad option values exit 1 before reading anything", async () => {
    for (const args of [
      ["--model", "magic"],
      ["--split", "time:tomorrow"],
      ["--weights", "view"],
      ["--factors", "0"],
    ]) {
      const r = await runCli([
        "recommend",
        "train",
        "--items",
        "nope.csv",
        "--events",
        "nope.csv",
        "--out",
        "x",
        ...args,
      ]);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /OPTION_INVALID/);
    }
  });

  it("eval names the line of an event whose item the model does not know", async () => {
    const eventsPath = scratch.write(
      ".csv",
      "user,item,type\nspace-user-0,s1,view\nspace-user-0,s999,view\n",
    );
    const r = await runCli([
      "recommend",
      "eval",
      "--model",
      join(scratch.path, "knn"),
      "--events",
      eventsPath,
    ]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${eventsPath}:3: `), r.stderr);
  });
});
