/**
 * Tagged files as people have them: I- tags that start entities, doccano and Label Studio
 * exports, other offset conventions, tab-separated columns, tags in lower case.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { TextkitError } from "../core/index.ts";
import type { TaggedSentence } from "./tagged-example.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";

const files = scratchFiles("tagged-files");
const conll = (content: string): string => files.write(".conll", content);
const jsonl = (rows: unknown[]): string =>
  files.write(".jsonl", `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);

/** The entities of sentences as "text/TYPE" strings, from their BIO tags. */
function entities(sentences: TaggedSentence[]): string[] {
  const out: string[] = [];
  for (const s of sentences) {
    let open: { start: number; end: number; type: string } | null = null;
    const close = () => {
      if (open !== null) out.push(`${s.text.slice(s.starts[open.start], s.ends[open.end - 1])}/${open.type}`);
      open = null;
    };
    s.tags.forEach((tag, i) => {
      if (tag.startsWith("B-")) {
        close();
        open = { start: i, end: i + 1, type: tag.slice(2) };
      } else if (tag.startsWith("I-") && open !== null) open.end = i + 1;
      else close();
    });
    close();
  }
  return out;
}

const BROKEN_BIO = [
  "张 B-PER",
  "三 I-PER",
  "在 O",
  "北 I-LOC",
  "京 I-LOC",
  "",
  "李 B-PER",
  "四 I-PER",
  "",
  "去 O",
  "上 I-LOC",
  "海 I-LOC",
  "和 O",
  "王 I-PER",
  "",
].join("\n");

describe("tagged files: I- tags that start an entity", () => {
  it("refuses them with the count of every violation, not only the first", async () => {
    const path = conll(BROKEN_BIO);
    await assert.rejects(
      loadTaggedDataset(path, { scheme: "bio" }),
      isCodedError("DATA_BAD_TAG", path, 4, /at 3 tags in 2 sentences \(lines 4, 11, 14\)/),
    );
    const error = await loadTaggedDataset(path, { scheme: "bio" }).catch((e: unknown) => e);
    assert.ok(error instanceof TextkitError);
    assert.match(error.hint, /--repair/);
    assert.equal(error.details?.["violations"], 3);
  });

  it("repairs them as conlleval reads them with repair, and says what changed", async () => {
    const data = await loadTaggedDataset(conll(BROKEN_BIO), { scheme: "bio", repair: true });
    assert.deepEqual(entities(data.sentences), ["张三/PER", "北京/LOC", "李四/PER", "上海/LOC", "王/PER"]);
    assert.deepEqual(data.repairs, { tags: 3, sentences: 2, lines: [4, 11, 14] });
    assert.equal(data.sentences[0]!.tags[3], "B-LOC");
  });

  it("closes open BIOES entities and opens those started with I- or E-", async () => {
    const path = conll(["A B-X", "b O", "c E-Y", "d S-Y", ""].join("\n"));
    const data = await loadTaggedDataset(path, { scheme: "bioes", repair: true });
    assert.deepEqual(entities(data.sentences), ["A/X", "c/Y", "d/Y"]);
    assert.equal(data.repairs?.tags, 2);
  });
});

describe("tagged files: CoNLL columns and tags", () => {
  it("reads lower-case tags", async () => {
    const data = await loadTaggedDataset(conll("Tim b-per\nCook i-per\nspoke o\n"));
    assert.deepEqual(data.sentences[0]!.tags, ["B-per", "I-per", "O"]);
    assert.deepEqual(data.types, ["per"]);
  });

  it("with delimiter tab, keeps spaces inside a token", async () => {
    const path = conll("New York\tNNP\tB-LOC\nis\tVBZ\tO\n");
    const data = await loadTaggedDataset(path, { delimiter: "tab" });
    assert.deepEqual(data.sentences[0]!.tokens, ["New York", "is"]);
    assert.deepEqual(data.sentences[0]!.tags, ["B-LOC", "O"]);
    await assert.rejects(loadTaggedDataset(path), isCodedError("DATA_BAD_ROW", path, 2, /--delimiter tab/));
  });

  it("says the line once when an error is described", async () => {
    const path = conll("a O\nb X-Y\n");
    const error = await loadTaggedDataset(path).catch((e: unknown) => e);
    assert.ok(error instanceof TextkitError);
    assert.match(error.describe(), new RegExp(`^${path.replaceAll("/", "\\/")}:2: 'X-Y' is not a tag`));
    assert.match(error.message, /--tag-column/);
    assert.doesNotMatch(error.message, /pass tagColumn/);
    assert.doesNotMatch(error.hint, /scheme/);
  });
});

describe("tagged files: JSONL exports", () => {
  it("reads doccano's label lists and Label Studio's exports", async () => {
    const doccano = await loadTaggedDataset(
      jsonl([
        {
          id: 1,
          text: "Tim Cook in Paris",
          label: [
            [0, 8, "PER"],
            [12, 17, "LOC"],
          ],
        },
      ]),
    );
    assert.deepEqual(entities(doccano.sentences), ["Tim Cook/PER", "Paris/LOC"]);
    const doccanoObjects = await loadTaggedDataset(
      jsonl([{ text: "Tim Cook", entities: [{ id: 3, label: "PER", start_offset: 0, end_offset: 8 }] }]),
    );
    assert.deepEqual(entities(doccanoObjects.sentences), ["Tim Cook/PER"]);
    const min = await loadTaggedDataset(
      jsonl([{ text: "in Paris", label: [{ start: 3, end: 8, text: "Paris", labels: ["LOC"] }] }]),
    );
    assert.deepEqual(entities(min.sentences), ["Paris/LOC"]);
    const task = await loadTaggedDataset(
      jsonl([
        {
          data: { text: "Tim in Rome" },
          annotations: [{ result: [{ type: "labels", value: { start: 7, end: 11, labels: ["LOC"] } }] }],
        },
      ]),
    );
    assert.deepEqual(entities(task.sentences), ["Rome/LOC"]);
  });

  it("refuses a file where no row has entities under a known key, naming the keys it has", async () => {
    const path = jsonl([
      { text: "Tim Cook", tags: [[0, 8, "PER"]] },
      { text: "Paris", tags: [] },
    ]);
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_NO_LABEL",
        path,
        undefined,
        /no row has entities under any key .*entities, label.*; the rows have the keys text, tags/,
      ),
    );
  });
});

describe("tagged files: offset conventions", () => {
  const emoji = "😀";
  const rows = (n: number, inclusive: boolean, codepoint: boolean) =>
    Array.from({ length: n }, (_, i) => {
      const text = `${emoji} Tim Cook met Anna Berg in Paris ${i}`;
      const at = (s: string) => text.indexOf(s) - (codepoint ? 1 : 0);
      const span = (s: string, label: string) => [at(s), at(s) + s.length - (inclusive ? 1 : 0), label];
      return { text, entities: [span("Tim Cook", "PER"), span("Anna Berg", "PER"), span("Paris", "LOC")] };
    });

  it("refuses end-inclusive spans read as exclusive, with the count and the flag to pass", async () => {
    const path = jsonl(rows(4, true, false));
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_SPAN",
        path,
        undefined,
        /12 of 12 spans .*; read as UTF-16 offsets with inclusive ends, 0 do.*--offsets utf16 --end inclusive/,
      ),
    );
    const data = await loadTaggedDataset(path, { end: "inclusive" });
    assert.deepEqual(entities(data.sentences).slice(0, 3), ["Tim Cook/PER", "Anna Berg/PER", "Paris/LOC"]);
    assert.equal(data.warnings, undefined);
  });

  it("refuses code point offsets read as UTF-16, and reads them with offsets codepoint", async () => {
    const path = jsonl(rows(3, false, true));
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_SPAN", path, undefined, /9 of 9 spans.*--offsets codepoint --end exclusive/),
    );
    const data = await loadTaggedDataset(path, { offsets: "codepoint" });
    assert.deepEqual(entities(data.sentences).slice(0, 3), ["Tim Cook/PER", "Anna Berg/PER", "Paris/LOC"]);
  });

  it("warns with a count when a few spans look wrong but no convention fits better", async () => {
    const good = rows(5, false, false);
    const text = "Tim Cook met Anna";
    const data = await loadTaggedDataset(jsonl([...good, { text, entities: [[0, 6, "PER"]] }]));
    assert.equal(data.warnings?.length, 1);
    assert.match(data.warnings![0]!, /1 of 16 spans start or end inside a word/);
  });
});
