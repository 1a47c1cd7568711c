import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, readAll, scratchFiles } from "../../test/support/data-files.ts";

const files = scratchFiles("tsv");
const tsv = (content: string | Buffer): string => files.write(".tsv", content);

const read = readAll;

const isError = isCodedError;

describe("TSV", () => {
  it("reads SST-2 style rows whose text has bare quotes", async () => {
    // Lines as they occur in SST-2: quotes open without closing, or stand alone.
    const path = tsv('label\tsentence\n1\t" a delightful film\n0\tthe " twist " falls flat \n1\t"\n');
    assert.deepEqual(await read(path, { textColumn: "sentence" }), [
      { text: '" a delightful film', labels: ["1"], line: 2 },
      { text: 'the " twist " falls flat', labels: ["0"], line: 3 },
      { text: '"', labels: ["1"], line: 4 },
    ]);
  });

  it("strips a BOM, handles CRLF, blank lines and a last line without a break", async () => {
    const path = tsv(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("text\tlabel\r\na\tx\r\n\r\nb\ty")]),
    );
    assert.deepEqual(await read(path), [
      { text: "a", labels: ["x"], line: 2 },
      { text: "b", labels: ["y"], line: 4 },
    ]);
  });

  it("reads multi-label cells and headerless files", async () => {
    const multi = tsv("text\tlabels\nmatch report\tsports|news\n");
    assert.deepEqual((await read(multi))[0]?.labels, ["sports", "news"]);
    const bare = tsv("pos\tgreat\nneg\tpoor\n");
    assert.deepEqual(
      (await read(bare, { header: false, textColumn: "2", labelColumn: "1" })).map((e) => [
        e.labels[0],
        e.text,
      ]),
      [
        ["pos", "great"],
        ["neg", "poor"],
      ],
    );
  });

  it("DATA_BAD_ROW when a text holds a tab", async () => {
    const path = tsv("text\tlabel\nfine\ta\nhas\ta tab\tb\n");
    await assert.rejects(
      read(path),
      isError(
        "DATA_BAD_ROW",
        path,
        3,
        /line 3 has 3 fields but the header has 2; TSV text cannot contain tabs/,
      ),
    );
  });

  it("DATA_MISSING_COLUMN lists the header", async () => {
    const path = tsv("label\tcontent\n0\tx\n");
    await assert.rejects(
      read(path),
      isError("DATA_MISSING_COLUMN", path, 1, /no column named "text" \(its columns: "label", "content"\)/),
    );
  });

  it("DATA_EMPTY_TEXT and DATA_NO_LABEL with their lines", async () => {
    const empty = tsv("text\tlabel\nok\ta\n \tb\n");
    await assert.rejects(read(empty), isError("DATA_EMPTY_TEXT", empty, 3, /text column "text" is empty/));
    const unlabelled = tsv("text\tlabel\nok\ta\nno label\t\n");
    await assert.rejects(
      read(unlabelled),
      isError("DATA_NO_LABEL", unlabelled, 3, /label column "label" is empty/),
    );
  });

  it("DATA_INVALID_UTF8 with the line", async () => {
    const path = tsv(
      Buffer.concat([Buffer.from("text\tlabel\nok\ta\n"), Buffer.from([0xb0, 0xa1]), Buffer.from("\tb\n")]),
    );
    await assert.rejects(
      read(path),
      isError("DATA_INVALID_UTF8", path, 3, /line 3 is not valid UTF-8 \(byte 0xB0 at byte 1/),
    );
  });
});
