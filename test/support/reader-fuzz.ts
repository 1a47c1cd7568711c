/**
 * What the readers' fuzz suite (test/fuzz-readers.test.ts) and the probe script
 * (scripts/probe-readers.ts) share: every reader of a data file with a small valid file of
 * its format, the mutations and pathological shapes fed to them, and the one rule they are
 * held to (issue 15): a reader accepts its input or throws a TextkitError with a code of
 * the catalogue, never anything else, in time linear in the input's size.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { loadKnowledge } from "../../src/apps/assist/knowledge.ts";
import { readStreamLines } from "../../src/cli/stream-lines.ts";
import { ERROR_CATALOGUE, TextkitError } from "../../src/core/errors.ts";
import { loadTaggedDataset } from "../../src/data/index.ts";
import { ItemCatalog, readEvents, readItems } from "../../src/data/interactions.ts";
import { readMovieLensItems, readMovieLensRatings } from "../../src/data/movielens.ts";
import { readNumericRows } from "../../src/data/numeric-rows.ts";
import { readExamples } from "../../src/data/read-examples.ts";
import { readTextLines } from "../../src/data/read-text-lines.ts";
import { loadTable } from "../../src/data/table.ts";
import { readVecFile } from "../../src/data/vectors-file.ts";
import { loadSeries } from "../../src/models/forecast/series.ts";

/** A reader under test: where its input goes, a valid input, and how to read it whole. */
export interface FuzzReader {
  name: string;
  /** The file name the input is written to (its extension picks the format). */
  file: string;
  /** A small valid input. */
  valid: string;
  /** Reads the file (or, for the knowledge folder, the folder holding it) to the end. */
  read(path: string): Promise<unknown>;
}

async function drain<T>(items: AsyncIterable<T>): Promise<number> {
  let count = 0;
  for await (const _ of items) count++;
  return count;
}

const CATALOG = new ItemCatalog([
  { id: "m1", title: "Alien", description: "", tags: [], category: "", createdAt: null },
  { id: "7", title: "", description: "", tags: [], category: "", createdAt: null },
]);

const INTENTS = `intents:
  - id: balance
    examples: [what is my balance, how much money do I have]
    answer: You have {amount}.
    slots:
      amount: { pattern: '\\d+', prompt: How much? }
  - &second
    id: transfer
    examples:
      - send money to savings
      - move funds
    answer: Done.
out_of_scope: [tell me a joke]
`;

/** Every reader of a data file, each with a valid input of its format. */
export const READERS: readonly FuzzReader[] = [
  {
    name: "examples CSV",
    file: "data.csv",
    valid: 'text,label\ngood film,pos\n"bad, sad film",neg\n"multi\nline",pos|neg\n',
    read: (path) => drain(readExamples(path)),
  },
  {
    name: "examples TSV",
    file: "data.tsv",
    valid: 'text\tlabel\ngood "film"\tpos\nbad film\tneg\n',
    read: (path) => drain(readExamples(path)),
  },
  {
    name: "examples JSONL",
    file: "data.jsonl",
    valid: '{"text": "good film", "label": "pos"}\n\n{"text": "bad", "labels": ["neg", 2]}\n',
    read: (path) => drain(readExamples(path)),
  },
  {
    name: "examples fastText",
    file: "data.txt",
    valid: "__label__pos good film\n__label__a __label__b two labels\n",
    read: (path) => drain(readExamples(path)),
  },
  {
    name: "text lines",
    file: "input.txt",
    valid: "first document\n\n  second one  \r\n中文 third\n",
    read: (path) => drain(readTextLines(path)),
  },
  {
    name: "tagged CoNLL",
    file: "train.conll",
    valid: "-DOCSTART- O\n\nTim B-PER\nCook I-PER\nvisited O\nParis B-LOC\n\nHi O\n",
    read: (path) => loadTaggedDataset(path),
  },
  {
    name: "tagged span JSONL",
    file: "spans.jsonl",
    valid:
      '{"text": "Tim Cook visited Paris", "entities": [[0, 8, "PER"], {"start": 17, "end": 22, "label": "LOC"}]}\n',
    read: (path) => loadTaggedDataset(path),
  },
  {
    name: "table CSV",
    file: "houses.csv",
    valid: "price,city,rooms\n12.5,Lyon,3\n8,Paris,NA\n",
    read: (path) => loadTable(path, { target: "price", impute: "mean" }),
  },
  {
    name: "table TSV",
    file: "houses.tsv",
    valid: "price\tcity\n12.5\tLyon\n8\tParis\n",
    read: (path) => loadTable(path, { target: "price" }),
  },
  {
    name: "table JSONL",
    file: "houses.jsonl",
    valid: '{"price": 12.5, "city": "Lyon"}\n{"price": 8, "city": null}\n',
    read: (path) => loadTable(path, { target: "price", impute: "mode" }),
  },
  {
    name: "numeric rows",
    file: "points.csv",
    valid: "x,y\n1,2\n3.5,-4e2\n",
    read: (path) => readNumericRows(path),
  },
  {
    name: "series",
    file: "prices.csv",
    valid: "date,value\n2024-01-01,3\n2024-01-02,4.5\n2024-01-03,5\n",
    read: (path) => loadSeries(path, { timeColumn: "date", valueColumn: "value" }),
  },
  {
    name: "items CSV",
    file: "items.csv",
    valid: 'id,title,tags,created\nm1,Alien,"sci-fi|horror",2026-01-01\nm2,Dune,,1767225600\n',
    read: (path) => readItems(path),
  },
  {
    name: "items JSONL",
    file: "items.jsonl",
    valid: '{"id": "m1", "title": "Alien", "tags": ["sci-fi"]}\n{"id": 2}\n',
    read: (path) => readItems(path),
  },
  {
    name: "events CSV",
    file: "events.csv",
    valid: "user,item,type,value,timestamp\nu1,m1,view,,1770000000\nu2,7,rating,4,2026-03-01T12:00:00Z\n",
    read: (path) => readEvents(path, CATALOG),
  },
  {
    name: "events JSONL",
    file: "events.jsonl",
    valid: '{"user": 1, "item": 7, "type": "like", "timestamp": 1770000000}\n',
    read: (path) => readEvents(path, CATALOG),
  },
  {
    name: "word vectors",
    file: "words.vec",
    valid: "2 3\nhello 0.1 0.2 0.3 \nworld -1 2e-3 4\n",
    read: (path) => readVecFile(path),
  },
  {
    name: "MovieLens items",
    file: "u.item",
    valid: "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n",
    read: (path) => readMovieLensItems(path),
  },
  {
    name: "MovieLens ratings",
    file: "u.data",
    valid: "1\t7\t4\t881250949\n2\tm1\t3\t891717742\n",
    read: (path) => readMovieLensRatings(path, CATALOG),
  },
  {
    name: "knowledge intents YAML",
    file: "kb/intents.yaml",
    valid: INTENTS,
    read: (path) => loadKnowledge(join(path, "..")),
  },
  {
    name: "knowledge FAQ YAML",
    file: "kb/faq.yaml",
    valid:
      "faqs:\n  - { id: hours, question: When are you open?, answer: 9 to 5, alternatives: [opening hours] }\n",
    read: (path) => loadKnowledge(join(path, "..")),
  },
  {
    name: "knowledge FAQ CSV",
    file: "kb/faq.csv",
    valid: 'id,question,answer,lang\nhours,When are you open?,"9 to 5, daily",en\n',
    read: (path) => loadKnowledge(join(path, "..")),
  },
  {
    name: "knowledge settings",
    file: "kb/assistant.yaml",
    valid: "name: bank\nlanguages: [en]\nhandover: { en: A colleague will reply. }\n",
    read: async (path) => {
      // Settings alone are no knowledge: a FAQ beside them makes the folder loadable.
      writeFileSync(join(path, "..", "faq.yaml"), "faqs:\n  - { id: a, question: q, answer: a }\n");
      return loadKnowledge(join(path, ".."));
    },
  },
  {
    name: "standard input lines",
    file: "stdin.txt",
    valid: "one\r\ntwo\n\nthree",
    read: async (path) => {
      const { readFile } = await import("node:fs/promises");
      const bytes = await readFile(path);
      // Cut into uneven chunks, as a pipe delivers them.
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7) % 65_536 || 1) {
          yield bytes.subarray(at, at + size);
        }
      }
      return drain(readStreamLines(chunks(), "<stdin>"));
    },
  },
];

/** How a read ended. */
export type Outcome =
  | { kind: "accepted" }
  | { kind: "coded"; code: string }
  | { kind: "uncoded"; error: unknown };

/** Reads `path` with `reader` and says how it ended; never throws. */
export async function outcomeOf(reader: FuzzReader, path: string): Promise<Outcome> {
  try {
    await reader.read(path);
    return { kind: "accepted" };
  } catch (error) {
    if (error instanceof TextkitError && Object.hasOwn(ERROR_CATALOGUE, error.code)) {
      return { kind: "coded", code: error.code };
    }
    return { kind: "uncoded", error };
  }
}

/** A scratch directory for inputs, each written to its own subdirectory. */
export class FuzzScratch {
  readonly root = mkdtempSync(join(tmpdir(), "textkit-fuzz-"));
  private count = 0;

  /** Writes `content` as `reader.file` in a fresh directory and returns its path. */
  write(reader: FuzzReader, content: Uint8Array | string): string {
    const dir = join(this.root, `i${this.count++}`);
    const path = join(dir, reader.file);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    return path;
  }

  /** Removes a directory `write` made, once its input is read. */
  drop(path: string, reader: FuzzReader): void {
    const depth = reader.file.split("/").length;
    let dir = path;
    for (let i = 0; i < depth; i++) dir = join(dir, "..");
    rmSync(dir, { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Pieces that matter to some format: delimiters, quotes, brackets, YAML syntax, labels, bad UTF-8. */
const TOKENS: readonly (string | number[])[] = [
  '"',
  "'",
  ",",
  "\t",
  "\n",
  "\r\n",
  "\r",
  " ",
  "{",
  "}",
  "[",
  "]",
  ":",
  ": ",
  "- ",
  "&a ",
  "*a",
  "<<: *a",
  "!!binary ",
  "---\n",
  "#",
  "|",
  "\\",
  "__label__",
  "B-",
  "I-",
  "E-",
  "-DOCSTART-",
  "NaN",
  "Infinity",
  "1e999",
  "-0",
  "12345678901234567890",
  "null",
  "true",
  '""',
  "[[[[[[",
  "]]]]",
  '{"a": ',
  "é",
  "中文",
  "\u2028",
  "\u00a0",
  [0xef, 0xbb, 0xbf],
  [0xff],
  [0xc3],
  [0xe4, 0xb8],
  [0xed, 0xa0, 0x80],
  [0x00],
];

function tokenBytes(token: string | number[]): Buffer {
  return typeof token === "string" ? Buffer.from(token, "utf8") : Buffer.from(token);
}

type Edit =
  | { op: "insert"; at: number; token: number; times: number }
  | { op: "delete"; at: number; length: number }
  | { op: "replace"; at: number; token: number }
  | { op: "repeat"; at: number; length: number; times: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    token: fc.nat(TOKENS.length - 1),
    times: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    op: fc.constant("delete" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    op: fc.constant("replace" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    token: fc.nat(TOKENS.length - 1),
  }),
  fc.record({
    op: fc.constant("repeat" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 30 }),
    times: fc.integer({ min: 2, max: 50 }),
  }),
);

/** `valid` with the edits applied in turn. */
export function applyEdits(valid: string, edits: readonly Edit[]): Buffer {
  let bytes = Buffer.from(valid, "utf8");
  for (const edit of edits) {
    const at = Math.min(bytes.length, Math.floor(edit.at * (bytes.length + 1)));
    if (edit.op === "insert") {
      const piece = tokenBytes(TOKENS[edit.token]!);
      bytes = Buffer.concat([bytes.subarray(0, at), ...Array(edit.times).fill(piece), bytes.subarray(at)]);
    } else if (edit.op === "delete") {
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
    } else if (edit.op === "replace") {
      const piece = tokenBytes(TOKENS[edit.token]!);
      bytes = Buffer.concat([bytes.subarray(0, at), piece, bytes.subarray(at + piece.length)]);
    } else {
      const piece = bytes.subarray(at, at + edit.length);
      bytes = Buffer.concat([bytes.subarray(0, at), ...Array(edit.times).fill(piece), bytes.subarray(at)]);
    }
  }
  return bytes;
}

/** Mutations of a valid input: one to eight edits. */
export function mutationArbitrary(valid: string): fc.Arbitrary<Buffer> {
  return fc.array(editArbitrary, { minLength: 1, maxLength: 8 }).map((edits) => applyEdits(valid, edits));
}

/** Shapes the issue found readers slow or crashing on, each of about `bytes` bytes. */
export const SHAPES = {
  /** One line without a line break. */
  longLine: (bytes: number) => "a".repeat(bytes),
  /** A valid header or first record, then one long line. */
  longSecondLine: (bytes: number, reader: FuzzReader) =>
    `${reader.valid.split("\n")[0]}\n${"b,".repeat(Math.floor(bytes / 2))}`,
  /** Blank lines, then the valid input. */
  blankLines: (bytes: number, reader: FuzzReader) => `${"\n".repeat(bytes)}${reader.valid}`,
  /** Lines of only spaces and CRLF. */
  spaceLines: (bytes: number, reader: FuzzReader) =>
    `${" \r\n".repeat(Math.floor(bytes / 3))}${reader.valid}`,
  /** JSON nested as deep as its size allows, where a span list or a field is expected. */
  deepJson: (bytes: number) => {
    const depth = Math.floor(bytes / 2);
    return `{"text": "Paris", "user": 1, "item": 7, "id": "x", "price": 1, "entities": [${"[".repeat(depth)}${"]".repeat(depth)}]}\n`;
  },
  /** A YAML (or JSON) document nested as deep as its size allows, flow and block style. */
  deepYaml: (bytes: number) =>
    `intents:\n  - id: a\n    examples: ${"[".repeat(bytes / 2)}${"]".repeat(bytes / 2)}\n`,
  deepBlockYaml: (bytes: number) => `faqs:\n${"- ".repeat(Math.floor(bytes / 2))}x\n`,
  /** Anchors each aliasing the one before nine times: 9^n values from n lines. */
  aliasBomb: (bytes: number) => {
    let text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; text.length < bytes; i++)
      text += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    return text;
  },
  /** Double quotes, never closed, over many lines. */
  quotes: (bytes: number, reader: FuzzReader) => `${reader.valid}"${"x\n".repeat(Math.floor(bytes / 2))}`,
  /** Bytes that are not UTF-8 after a valid start. */
  invalidUtf8: (bytes: number, reader: FuzzReader) =>
    Buffer.concat([Buffer.from(reader.valid), Buffer.alloc(bytes, 0xff), Buffer.from("\n")]),
  /** A BOM before a valid input, and one inside it. */
  boms: (_bytes: number, reader: FuzzReader) => `\ufeff${reader.valid}\ufeff${reader.valid}`,
} as const satisfies Record<string, (bytes: number, reader: FuzzReader) => string | Buffer>;

export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];
