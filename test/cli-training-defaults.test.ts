/**
 * End-to-end tests of what `classify train` does by default with the data it is given:
 * no labelled row lost to held-out reports, options for awkward files (empty texts, other
 * encodings, several text columns), and defaults chosen from the data and printed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Random } from "../src/core/random.ts";
import { runCli as run } from "./support/cli-run.ts";

const TOPICS: Record<string, string[]> = {
  sport: ["goal", "match", "team", "score", "player", "coach", "league"],
  weather: ["rain", "sunny", "cloud", "wind", "forecast", "storm", "snow"],
  food: ["pizza", "pasta", "bread", "cheese", "soup", "salad", "dessert"],
};
const LABELS = Object.keys(TOPICS);

function rows(n: number): { text: string; label: string }[] {
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    for (const label of LABELS) {
      const w = TOPICS[label]!;
      out.push({ text: `we saw ${w[i % 7]} ${w[(i + 2) % 7]} ${w[(i + 5) % 7]}`, label });
    }
  }
  return out;
}

const csv = (data: { text: string; label: string }[]): string =>
  `text,label\n${data.map((r) => `${r.text},${r.label}`).join("\n")}\n`;

const FAST = ["--epochs", "6", "--dim", "8", "--buckets", "5000", "--quiet"];

let dir: string;
let data: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "textkit-train-defaults-"));
  data = join(dir, "train.csv");
  writeFileSync(data, csv(rows(20)));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("classify train without --dev and --test", () => {
  it("chooses the epochs on the held-out rows, then saves a model trained on every row and says so", async () => {
    const out = join(dir, "refit");
    const result = await run(["classify", "train", "--train", data, "--out", out, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    // 60 rows: 6 held out for dev and 6 for test, and the saved model still saw all 60.
    assert.equal(record.data.train.examples, 60);
    assert.equal(record.final.refit.rows, 60);
    assert.equal(record.final.refit.splitRows, 48);
    const epochs = record.final.refit.epochs;
    assert.ok(epochs >= 1 && epochs <= 6);
    assert.equal(record.epochs.length, epochs);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.epochs, epochs);
    assert.match(
      result.stdout,
      new RegExp(
        `^epochs chosen on the dev data \\(.*train\\.csv, 10% held out by --split\\): ${epochs}; final model trained on all 60 rows`,
        "m",
      ),
    );
    // The test report is still of the model that never saw those rows, and the record says so.
    assert.equal(record.final.test.examples, 6);
    assert.match(record.final.test.of, /48 rows/);
  });

  it("keeps the model trained without the held-out rows with --no-refit", async () => {
    const out = join(dir, "no-refit");
    const result = await run(["classify", "train", "--train", data, "--out", out, "--no-refit", ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.equal(record.data.train.examples, 48);
    assert.equal(record.final.refit, undefined);
    assert.doesNotMatch(result.stdout, /final model trained on all/);
  });

  it("trains on the --train file as given when --dev is given", async () => {
    const dev = join(dir, "dev.csv");
    writeFileSync(dev, csv(rows(3)));
    const out = join(dir, "with-dev");
    const result = await run(["classify", "train", "--train", data, "--dev", dev, "--out", out, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.equal(record.data.train.examples, 60);
    assert.equal(record.final.refit, undefined);
    assert.equal(record.epochs.length, 6);
  });
});

describe("classify train options for awkward files", () => {
  it("--skip-empty trains past empty texts and reports how many it skipped, and where", async () => {
    const file = join(dir, "holes.csv");
    writeFileSync(file, `${csv(rows(10)).trimEnd()}\n ,sport\n,food\n`);
    const without = await run(["classify", "train", "--train", file, "--out", join(dir, "holes-x"), ...FAST]);
    assert.notEqual(without.code, 0);
    assert.match(without.stderr, /holes\.csv:32: the text column "text" is empty/);
    const out = join(dir, "holes");
    const result = await run(["classify", "train", "--train", file, "--out", out, "--skip-empty", ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /holes\.csv; 2 rows with empty text skipped \(lines 32, 33\)/);
    const json = await run([
      "classify",
      "train",
      "--train",
      file,
      "--out",
      join(dir, "holes-json"),
      "--skip-empty",
      "--json",
      ...FAST,
    ]);
    assert.deepEqual(JSON.parse(json.stdout).data.train.skippedEmptyLines, [32, 33]);
  });

  it("--encoding latin1 reads a Latin-1 file; a bad name is refused naming the flag", async () => {
    const file = join(dir, "latin1.csv");
    const text = csv(rows(10)).replace(/we saw/g, "d\u00e9j\u00e0 vu");
    writeFileSync(file, Buffer.from(text, "latin1"));
    const refused = await run(["classify", "train", "--train", file, "--out", join(dir, "l1-x"), ...FAST]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /--encoding latin1/);
    const out = join(dir, "latin1");
    const result = await run([
      "classify",
      "train",
      "--train",
      file,
      "--out",
      out,
      "--encoding",
      "latin1",
      ...FAST,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const words = readFileSync(join(out, "words.txt"), "utf8").split("\n");
    assert.ok(words.includes("déjà"), words.join(" "));
    const bad = await run([
      "classify",
      "train",
      "--train",
      file,
      "--out",
      join(dir, "l1-y"),
      "--encoding",
      "latin-9000",
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--encoding "latin-9000" is not one this runtime can decode/);
  });

  it("--text-column title,description trains on both columns joined", async () => {
    const file = join(dir, "two-columns.csv");
    const lines = rows(10).map((r) => `${r.text.split(" ").slice(0, 3).join(" ")},${r.label},${r.text}`);
    writeFileSync(file, `title,label,description\n${lines.join("\n")}\n`);
    const out = join(dir, "two-columns");
    const result = await run([
      "classify",
      "train",
      "--train",
      file,
      "--out",
      out,
      "--text-column",
      "title,description",
      ...FAST,
    ]);
    assert.equal(result.code, 0, result.stderr);
    // "league" appears only in the description column.
    const words = readFileSync(join(out, "words.txt"), "utf8").split("\n");
    assert.ok(words.includes("league"));
    const help = await run(["classify", "eval", "--help"]);
    assert.match(help.stdout, /--skip-empty/);
    assert.match(help.stdout, /--encoding <name>/);
  });
});

describe("classify train defaults fitted to the data", () => {
  const chinese = (): string => {
    const good = ["服务非常好", "房间干净", "早餐丰富", "位置方便"];
    const bad = ["服务很差", "房间很脏", "早餐难吃", "隔音不好"];
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      lines.push(`${good[i % 4]}，${good[(i + 1) % 4]},pos`);
      lines.push(`${bad[i % 4]}，${bad[(i + 1) % 4]},neg`);
    }
    return `text,label\n${lines.join("\n")}\n`;
  };

  it("uses character unigrams on Chinese text, prints why, and records it", async () => {
    const file = join(dir, "zh.csv");
    writeFileSync(file, chinese());
    const out = join(dir, "zh");
    const result = await run(["classify", "train", "--train", file, "--out", out, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^defaults for this data: mostly Chinese text \(100% of texts\): character unigrams/m,
    );
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.minn, 1);
    assert.equal(manifest.options.maxn, 1);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.deepEqual(record.final.dataDefaults.options, { minn: 1, maxn: 1 });
  });

  it("keeps what the command line says over a fitted default", async () => {
    const file = join(dir, "zh2.csv");
    writeFileSync(file, chinese());
    const out = join(dir, "zh-fixed");
    const result = await run(["classify", "train", "--train", file, "--out", out, "--maxn", "0", ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /defaults for this data/);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.maxn, 0);
  });

  it("leaves short English text at the library defaults and says nothing", async () => {
    const out = join(dir, "en-defaults");
    const result = await run(["classify", "train", "--train", data, "--out", out, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /defaults for this data/);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.maxn, 0);
    assert.equal(manifest.options.chunkTokens, 0);
  });
});

describe("progress lines of trainers without epochs or a learning rate", () => {
  it("cluster and regress say run/inertia and pass, never 'lr 0'", async () => {
    const texts = join(dir, "texts.txt");
    writeFileSync(
      texts,
      `${rows(10)
        .map((r) => r.text)
        .join("\n")}\n`,
    );
    const clustered = await run(["cluster", "--input", texts, "--k", "3", "--out", join(dir, "clusters")]);
    assert.equal(clustered.code, 0, clustered.stderr);
    assert.doesNotMatch(clustered.stderr, /lr 0\b/);
    assert.match(clustered.stderr, /\brun \d+\/\d+ \[/);
    const table = join(dir, "prices.csv");
    const lines = Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 11},${3 * i + ((i * 7) % 11)}`);
    writeFileSync(table, `a,b,y\n${lines.join("\n")}\n`);
    const regressed = await run([
      "regress",
      "train",
      "--train",
      table,
      "--target",
      "y",
      "--out",
      join(dir, "ols"),
    ]);
    assert.equal(regressed.code, 0, regressed.stderr);
    assert.doesNotMatch(regressed.stderr, /lr 0\b/);
    assert.match(regressed.stderr, /\bpass 1\/1 \[/);
  });
});

describe("cluster warnings", () => {
  it("flags a weak structure and a mix of English and Chinese texts", async () => {
    const file = join(dir, "mixed.txt");
    const en = rows(8).map((r) => r.text);
    const zh = [
      "今天天气很好",
      "我们去吃饭吧",
      "这个手机很好用",
      "房间干净整洁",
      "服务态度不错",
      "价格有点贵",
    ];
    const lines = [...en, ...zh, ...zh.map((t) => `${t}啊`)];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const result = await run(["cluster", "--input", file, "--k", "6", "--min-df", "1", "--json", "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.ok(
      json.warnings.some((w: string) => /^mixed languages: \d+% English, \d+% Chinese texts/.test(w)),
      json.warnings.join("\n"),
    );
    assert.equal(json.options.stopwords, true);
    const random = join(dir, "random.txt");
    // Words drawn at random: no topic to find.
    const rng = new Random(5);
    const noise = Array.from({ length: 80 }, () =>
      Array.from({ length: 8 }, () => `w${rng.int(60)}`).join(" "),
    );
    writeFileSync(random, `${noise.join("\n")}\n`);
    const weak = await run(["cluster", "--input", random, "--k", "5", "--min-df", "1", "--quiet"]);
    assert.equal(weak.code, 0, weak.stderr);
    assert.match(weak.stdout, /^weak structure: silhouette -?0\.\d+ is below 0\.05/m);
  });
});

describe("classify autotune starts from the fitted defaults", () => {
  it("starts its first trial with character unigrams on Chinese text", async () => {
    const file = join(dir, "zh-tune.csv");
    const good = ["服务非常好", "房间干净", "早餐丰富", "位置方便"];
    const bad = ["服务很差", "房间很脏", "早餐难吃", "隔音不好"];
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) lines.push(`${good[i % 4]}，${good[(i + 1) % 4]},pos`, `${bad[i % 4]},neg`);
    writeFileSync(file, `text,label\n${lines.join("\n")}\n`);
    const out = join(dir, "zh-tuned");
    const result = await run([
      "classify",
      "autotune",
      "--train",
      file,
      "--out",
      out,
      "--max-trials",
      "1",
      "--dim",
      "8",
      "--epochs",
      "3",
      "--buckets",
      "5000",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^defaults for this data: mostly Chinese text/m);
    assert.match(result.stderr, /^trial 1 .* --minn 1 --maxn 1 /m);
  });
});
