import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, readAll, scratchFiles } from "../../test/support/data-files.ts";
import { readExamples } from "./read-examples.ts";

const files = scratchFiles("csv");
const csv = (content: string | Buffer): string => files.write(".csv", content);

const read = readAll;

const isError = isCodedError;

describe("CSV", () => {
  it("reads text and label by header name, in any column order", async () => {
    const path = csv("id,label,text\n1,pos,good film\n2,neg,  bad film  \n");
    assert.deepEqual(await read(path), [
      { text: "good film", labels: ["pos"], line: 2 },
      { text: "bad film", labels: ["neg"], line: 3 },
    ]);
  });

  it("handles RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes", async () => {
    const path = csv('text,label\n"a, b",x\n"say ""hi""",y\n"one\ntwo\nthree",z\nlast,x\n');
    const got = await read(path);
    assert.deepEqual(
      got.map((e) => e.text),
      ["a, b", 'say "hi"', "one\ntwo\nthree", "last"],
    );
    // A record's line is the line it starts on.
    assert.deepEqual(
      got.map((e) => e.line),
      [2, 3, 4, 7],
    );
  });

  it("counts a CRLF inside a quoted field as one line (csv-parse's own counter says two)", async () => {
    const path = csv('text,label\r\n"one\r\ntwo",x\r\n\r\nnext,y\r\n"a\r\nb\r\nc",x\r\nend,y\r\n');
    const got = await read(path);
    assert.deepEqual(
      got.map((e) => [e.line, e.text]),
      [
        [2, "one\r\ntwo"],
        [5, "next"],
        [6, "a\r\nb\r\nc"],
        [9, "end"],
      ],
    );
  });

  it("ends a record at CRLF and at LF alike, whichever the first line uses", async () => {
    // csv-parse, left to discover the record delimiter, took the first line's alone, so a
    // later bare "\n" stayed inside a field.
    const crlfFirst = csv("text,label\r\none,a\ntwo,b\r\nthree,c\n");
    assert.deepEqual(
      (await read(crlfFirst)).map((e) => [e.line, e.text, e.labels]),
      [
        [2, "one", ["a"]],
        [3, "two", ["b"]],
        [4, "three", ["c"]],
      ],
    );
  });

  it("reads a long first line with work proportional to its length (issue 15)", async () => {
    // csv-parse's delimiter discovery allocated three buffers at every byte of the first line;
    // counting Buffer.from calls measures that work without timing anything.
    const long = csv(`${"x".repeat(200_000)},a\n`);
    const from = Buffer.from;
    let calls = 0;
    Buffer.from = ((...args: Parameters<typeof from>) => {
      calls++;
      return from(...args);
    }) as typeof from;
    try {
      const got = await read(long, { header: false, textColumn: "1", labelColumn: "2" });
      assert.equal(got.length, 1);
    } finally {
      Buffer.from = from;
    }
    assert.ok(calls < 1000, `Buffer.from ran ${calls} times for one 200 kB record`);
  });

  it("strips a BOM, accepts CRLF and a last line without a line break", async () => {
    const path = csv(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("text,label\r\nhello,a\r\nbye,b")]),
    );
    assert.deepEqual(await read(path), [
      { text: "hello", labels: ["a"], line: 2 },
      { text: "bye", labels: ["b"], line: 3 },
    ]);
  });

  it("skips blank lines without shifting line numbers", async () => {
    const path = csv("text,label\n\nfirst,a\n\n\nsecond,b\n\n");
    assert.deepEqual(
      (await read(path)).map((e) => e.line),
      [3, 6],
    );
  });

  it("splits multi-label cells on | (or a chosen separator), trimming and dropping repeats", async () => {
    const path = csv("text,labels\nt1,sports | politics\nt2,a||a|b\nt3,solo\n");
    assert.deepEqual(
      (await read(path)).map((e) => e.labels),
      [["sports", "politics"], ["a", "b"], ["solo"]],
    );
    const semi = csv("text,label\nt1,x;y\n");
    assert.deepEqual((await read(semi, { labelSeparator: ";" }))[0]?.labels, ["x", "y"]);
  });

  it("uses the named columns and a chosen delimiter", async () => {
    const path = csv("review;stars\nnice;5\nawful;1\n");
    assert.deepEqual(await read(path, { delimiter: ";", textColumn: "review", labelColumn: "stars" }), [
      { text: "nice", labels: ["5"], line: 2 },
      { text: "awful", labels: ["1"], line: 3 },
    ]);
  });

  it("addresses columns by 1-based number when there is no header", async () => {
    const path = csv('1,"quoted, text"\n0,plain\n');
    assert.deepEqual(await read(path, { header: false, textColumn: "2", labelColumn: "1" }), [
      { text: "quoted, text", labels: ["1"], line: 1 },
      { text: "plain", labels: ["0"], line: 2 },
    ]);
  });

  it("keeps a quote inside an unquoted field as a character", async () => {
    const path = csv('text,label\nhe said "hi" twice,a\n');
    assert.equal((await read(path))[0]?.text, 'he said "hi" twice');
  });

  it("gives [] as labels when labels are optional and absent or empty", async () => {
    const noColumn = csv("text\nhello\n");
    assert.deepEqual(await read(noColumn, { requireLabels: false }), [
      { text: "hello", labels: [], line: 2 },
    ]);
    const emptyCell = csv("text,label\nhello,\n");
    assert.deepEqual((await read(emptyCell, { requireLabels: false }))[0]?.labels, []);
  });

  it("keeps line numbers right past many reads with quoted line breaks", async () => {
    const rows = ["text,label"];
    const expected: number[] = [];
    let line = 2;
    for (let i = 0; i < 20_000; i++) {
      const text = i % 3 === 0 ? `"row ${i}\nsecond line, with comma"` : `row ${i} ${"pad ".repeat(i % 7)}`;
      rows.push(`${text},c${i % 4}`);
      expected.push(line);
      line += i % 3 === 0 ? 2 : 1;
    }
    const got = await read(csv(`${rows.join("\n")}\n`));
    assert.equal(got.length, expected.length);
    assert.deepEqual(
      got.map((e) => e.line),
      expected,
    );
    assert.equal(got[19_997]?.text, "row 19997 pad pad pad pad pad");
    assert.equal(got[19_998]?.text, "row 19998\nsecond line, with comma");
  });
});

describe("CSV errors", () => {
  it("DATA_MISSING_COLUMN names the column and lists the header's columns", async () => {
    const path = csv("sentence,label\nhi,a\n");
    await assert.rejects(
      read(path),
      isError("DATA_MISSING_COLUMN", path, 1, /no column named "text" \(its columns: "sentence", "label"\)/),
    );
    const noLabel = csv("text,category\nhi,a\n");
    await assert.rejects(
      read(noLabel),
      isError(
        "DATA_MISSING_COLUMN",
        noLabel,
        1,
        /no column named "label" \(its columns: "text", "category"\)/,
      ),
    );
  });

  it("DATA_MISSING_COLUMN without a header explains column numbers", async () => {
    const path = csv("1,hello\n");
    await assert.rejects(
      read(path, { header: false }),
      isError("DATA_MISSING_COLUMN", path, 1, /numbered 1 to 2 and --text-column text names none of them/),
    );
    await assert.rejects(
      read(path, { header: false, textColumn: "3", labelColumn: "1" }),
      isError("DATA_MISSING_COLUMN", path, 1, /--text-column 3 names none/),
    );
    await assert.rejects(
      read(path, { header: false, textColumn: "2" }),
      isError("DATA_MISSING_COLUMN", path, 1, /name its label column by number/),
    );
  });

  it("DATA_BAD_ROW for a row with the wrong number of fields", async () => {
    const path = csv("text,label\nfine,a\nnot, quoted,b\n");
    await assert.rejects(
      read(path),
      isError(
        "DATA_BAD_ROW",
        path,
        3,
        /line 3 has 3 fields but the header has 2; a text that contains "," must be in double quotes/,
      ),
    );
  });

  it("DATA_BAD_ROW for a quote that is never closed, at the line the record starts", async () => {
    const path = csv('text,label\nok,a\n"never closed,b\nmore,c\n');
    await assert.rejects(
      read(path),
      isError("DATA_BAD_ROW", path, 3, /starts on line 3 opens a double quote that is never closed/),
    );
  });

  it("DATA_BAD_ROW for a record longer than maxRecordBytes", async () => {
    const path = csv(`text,label\nok,a\n"${"x\n".repeat(3000)}`);
    await assert.rejects(
      read(path, { maxRecordBytes: 1000 }),
      isError("DATA_BAD_ROW", path, 3, /starts on line 3 is longer than 1000 bytes/),
    );
  });

  it("DATA_EMPTY_TEXT for an empty or blank text, unless skipEmptyText", async () => {
    const path = csv('text,label\nfine,a\n"   ",b\nlast,a\n');
    await assert.rejects(
      read(path),
      isError("DATA_EMPTY_TEXT", path, 3, /line 3: the text column "text" is empty/),
    );
    assert.deepEqual(
      (await read(path, { skipEmptyText: true })).map((e) => e.line),
      [2, 4],
    );
  });

  it("DATA_NO_LABEL for an empty label cell", async () => {
    const path = csv("text,label\nfine,a\nnothing, | \n");
    await assert.rejects(
      read(path),
      isError("DATA_NO_LABEL", path, 3, /line 3: the label column "label" is empty/),
    );
  });

  it("DATA_INVALID_UTF8 with the line, after the rows before it", async () => {
    const path = csv(
      Buffer.concat([
        Buffer.from('text,label\nfine,a\n"multi\nline '),
        Buffer.from([0xff]),
        Buffer.from('",b\n'),
      ]),
    );
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const example of readExamples(path)) seen.push(example.line);
      },
      isError("DATA_INVALID_UTF8", path, 4, /line 4 is not valid UTF-8/),
    );
    assert.deepEqual(seen, [2]);
  });

  it("reports the first bad row in file order", async () => {
    const path = csv("text,label\n,a\nx,y,z\n");
    await assert.rejects(read(path), isError("DATA_EMPTY_TEXT", path, 2, /line 2/));
  });

  it("OPTION_INVALID when text and label are the same column", async () => {
    const path = csv("text,label\nhi,a\n");
    await assert.rejects(
      read(path, { labelColumn: "text" }),
      isError("OPTION_INVALID", path, 1, /both name column "text"/),
    );
  });
});
