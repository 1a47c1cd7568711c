/**
 * End-to-end tests of `textkit search build` and `textkit search query`: a folder of
 * Markdown, HTML and text documents, a table of FAQ rows, questions from arguments and from
 * standard input, and broken input that must fail with a coded error and write nothing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";
import { tinyVec } from "./support/retrieval-data.ts";

const scratch = scratchFiles("cli-search");
const vec = scratch.write(".vec", tinyVec());
const docs = join(scratch.path, "docs");
mkdirSync(join(docs, "cards"), { recursive: true });
writeFileSync(
  join(docs, "cards", "lost.md"),
  "# Cards\n\n## Lost card\n\nIf your card is lost or stolen, block it in the app at once.\n\n## PIN\n\nReset your PIN code at any ATM.\n",
);
writeFileSync(
  join(docs, "payments.html"),
  "<h1>Payments</h1><p>Send money to another account with a transfer.</p>",
);
writeFileSync(join(docs, "zh.txt"), "信用卡丢失后请立即挂失。\n");
writeFileSync(join(docs, "notes.pdf"), "not read");

interface Hit {
  id: string;
  score: number;
  bm25: number;
  vector: number | null;
  title: string | null;
  text: string;
  source: string;
  meta: Record<string, unknown>;
}

describe("textkit search build and query", () => {
  const index = join(scratch.path, "help");

  it("indexes a folder of documents with word vectors", async () => {
    const r = await runCli(["search", "build", "--input", docs, "--vectors", vec, "--out", index]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^input: 4 items from 3 files$/m);
    assert.match(
      r.stdout,
      /^indexed 4 items in [\d.]+ s: \d+ terms, vectors 4 dimensions \(word-vectors:4x\d+:[0-9a-f]+\)$/m,
    );
    assert.match(r.stdout, /^default mode: hybrid$/m);
    const manifest = JSON.parse(readFileSync(join(index, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "retrieval");
    assert.equal(manifest.data.examples, 4);
  });

  it("answers a question given as arguments, as text and as JSON", async () => {
    const text = await runCli(["search", "query", "--index", index, "my", "card", "was", "stolen"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^1\. [01]\.\d{3} {2}cards\/lost\.md#1 {2}Cards > Lost card {2}\(bm25 [\d.]+, vector [\d.]+\)$/m,
    );
    assert.match(text.stdout, /^ {3}If your card is lost or stolen/m);
    const json = await runCli(["search", "query", "--index", index, "--json", "--k", "2", "send money"]);
    assert.equal(json.code, 0, json.stderr);
    const answer = JSON.parse(json.stdout) as { query: string; hits: Hit[] };
    assert.equal(answer.query, "send money");
    assert.equal(answer.hits[0]!.id, "payments.html#1");
    assert.equal(answer.hits[0]!.title, "Payments");
    assert.ok(answer.hits.length <= 2);
    const lexical = await runCli(["search", "query", "--index", index, "--mode", "bm25", "missing"]);
    assert.equal(lexical.stdout, "no match\n");
  });

  it("answers each line of standard input with one JSON line", async () => {
    const r = await runCli(["search", "query", "--index", index, "--k", "1"], {
      stdin: Readable.from(["lost card\n\n信用 卡 挂失\nforgot password\n"]),
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { query: string; line: number; hits: Hit[] });
    assert.deepEqual(
      lines.map((l) => [l.query, l.line, l.hits[0]?.id]),
      [
        ["lost card", 1, "cards/lost.md#1"],
        ["信用 卡 挂失", 3, "zh.txt#1"],
        ["forgot password", 4, "cards/lost.md#2"],
      ],
    );
    assert.deepEqual(lines[0]!.hits[0]!.meta, { start: 23, end: 83 });
  });

  it("indexes rows of a table, keeping the other columns", async () => {
    const csv = scratch.write(
      ".csv",
      'id,question,answer\nq1,How do I reset my PIN?,At any ATM.\nq2,"Where is my card, it was sent a week ago?",Call us.\nq3,,empty\n',
    );
    const faq = join(scratch.path, "faq");
    const r = await runCli([
      "search",
      "build",
      "--input",
      csv,
      "--text-column",
      "question",
      "--out",
      faq,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.items, 2);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.vectors, null);
    const q = await runCli(["search", "query", "--index", faq, "--json", "reset pin"]);
    const hit = (JSON.parse(q.stdout) as { hits: Hit[] }).hits[0]!;
    assert.equal(hit.id, "q1");
    assert.equal(hit.vector, null);
    assert.deepEqual(hit.meta, { line: 2, answer: "At any ATM." });
    const jsonl = scratch.write(".jsonl", '{"text": "Lost card"}\n{"text": "Reset PIN", "id": 7}\n');
    const rows = await runCli([
      "search",
      "build",
      "--input",
      jsonl,
      "--out",
      join(scratch.path, "rows"),
      "-q",
    ]);
    assert.equal(rows.code, 0, rows.stderr);
    const ids = await runCli([
      "search",
      "query",
      "--index",
      join(scratch.path, "rows"),
      "--json",
      "lost pin",
    ]);
    assert.deepEqual((JSON.parse(ids.stdout) as { hits: Hit[] }).hits.map((h) => h.id).sort(), [
      "7",
      "f2.jsonl:1",
    ]);
  });

  it("shows examples in its help", async () => {
    const build = await runCli(["search", "build", "--help"]);
    assert.equal(build.code, 0);
    assert.match(build.stdout, /textkit search build --input docs\/ --vectors/);
    const query = await runCli(["search", "query", "--help"]);
    assert.match(query.stdout, /textkit search query --index models\/help "how do I block my card"/);
  });
});

describe("textkit search on bad input", () => {
  it("a table without the text column: the file and line, and nothing written", async () => {
    const csv = scratch.write(".csv", "id,question\n1,hello\n");
    const out = join(scratch.path, "never");
    const r = await runCli(["search", "build", "--input", csv, "--out", out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*\.csv:1: .*no column "text".*\[DATA_MISSING_COLUMN\]$/m);
    assert.match(r.stderr, /^hint: /m);
    assert.ok(!existsSync(out));
  });

  it("a JSONL cell nested deep: a coded error naming the line, not a stack overflow (issue 15)", async () => {
    // A deep cell was shown with JSON.stringify, and one kept in meta overflowed at save.
    const nest = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const text = scratch.write(
      ".jsonl",
      `{"id": "a", "text": "lost card"}\n{"id": "b", "text": ${nest(60)}}\n`,
    );
    let r = await runCli(["search", "build", "--input", text, "--out", join(scratch.path, "deep1")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.jsonl:2: "text" must be text, not \[\[\[.*\.\.\. \[DATA_BAD_ROW\]$/m);
    const meta = scratch.write(".jsonl", `{"id": "a", "text": "lost card", "extra": ${nest(100_000)}}\n`);
    r = await runCli(["search", "build", "--input", meta, "--out", join(scratch.path, "deep2")]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /\.jsonl:1: line 1 nests arrays and objects more than 64 deep.* \[DATA_BAD_JSON\]$/m,
    );
  });

  it("a repeated id names both places", async () => {
    const csv = scratch.write(".csv", "id,text\na,lost card\nb,reset pin\na,send money\n");
    const r = await runCli(["search", "build", "--input", csv, "--out", join(scratch.path, "dup")]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /\.csv:4: the id 'a' is used twice: .*\.csv:2 and .*\.csv:4 \[DATA_DUPLICATE_ID\]/,
    );
  });

  it("a broken .vec names its line, and leaves the existing index as it was", async () => {
    const broken = scratch.write(".vec", "2 4\ncard 1 0 0 0\npin 0 1\n");
    const out = join(scratch.path, "kept");
    assert.equal((await runCli(["search", "build", "--input", docs, "--out", out, "-q"])).code, 0);
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    const r = await runCli(["search", "build", "--input", docs, "--vectors", broken, "--out", out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.vec:3: expected a word and 4 values, found 2 values \[DATA_BAD_VECTORS\]/);
    assert.equal(readFileSync(join(out, "manifest.json"), "utf8"), before);
  });

  it("an empty folder, a missing input, vector search without vectors", async () => {
    const empty = join(scratch.path, "empty");
    mkdirSync(empty);
    const r = await runCli(["search", "build", "--input", empty, "--out", join(scratch.path, "e")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\[DATA_EMPTY\]/);
    const missing = await runCli([
      "search",
      "build",
      "--input",
      join(scratch.path, "nope"),
      "--out",
      join(scratch.path, "n"),
    ]);
    assert.match(missing.stderr, /\[DATA_FILE_NOT_FOUND\]/);
    const lexical = join(scratch.path, "kept");
    const v = await runCli(["search", "query", "--index", lexical, "--mode", "vector", "card"]);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /\[RETRIEVAL_NO_VECTORS\]/);
    const badMode = await runCli(["search", "query", "--index", lexical, "--mode", "fuzzy", "card"]);
    assert.equal(badMode.code, 1);
    assert.match(badMode.stderr, /--mode must be one of bm25, vector, hybrid/);
    const notIndex = await runCli(["search", "query", "--index", join(scratch.path, "nope"), "card"]);
    assert.match(notIndex.stderr, /\[ARTIFACT_NOT_FOUND\]/);
  });
});
