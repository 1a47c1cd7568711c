import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { readNumericRows } from "./numeric-rows.ts";

const scratch = scratchFiles("numeric-rows");

describe("readNumericRows", () => {
  it("reads CSV, TSV and JSONL rows with their lines", async () => {
    const csv = scratch.write(".csv", 'x,y\n1,2.5\n\n-3e1," 4 "\n');
    const rows = await readNumericRows(csv);
    assert.deepEqual(rows.columns, ["x", "y"]);
    assert.equal(rows.n, 2);
    assert.deepEqual(Array.from(rows.values), [1, 2.5, -30, 4]);
    assert.deepEqual(Array.from(rows.lines), [2, 4]);
    const tsv = scratch.write(".tsv", "a\tb\tc\n1\t2\t3\n");
    assert.deepEqual(Array.from((await readNumericRows(tsv, { columns: ["c", "a"] })).values), [3, 1]);
    const jsonl = scratch.write(".jsonl", '{"a": 1, "b": 2}\n{"a": 0.5, "b": "7"}\n');
    assert.deepEqual(Array.from((await readNumericRows(jsonl)).values), [1, 2, 0.5, 7]);
  });

  it("names the file, line and column of an empty cell", async () => {
    const file = scratch.write(".csv", "x,y\n1,2\n3,\n");
    await assert.rejects(
      readNumericRows(file),
      isCodedError("DATA_MISSING_VALUE", file, 3, /line 3, column "y" \(2 of 2\) has no value/),
    );
    const marker = scratch.write(".csv", "x,y\n1,NA\n");
    await assert.rejects(readNumericRows(marker), isCodedError("DATA_MISSING_VALUE", marker, 2, /"NA"/));
    const jsonl = scratch.write(".jsonl", '{"a": 1, "b": 2}\n{"a": 1}\n');
    await assert.rejects(readNumericRows(jsonl), isCodedError("DATA_MISSING_VALUE", jsonl, 2, /column "b"/));
  });

  it("names the file, line and column of a cell that is not a number", async () => {
    const file = scratch.write(".csv", "x,y\n1,2\n3,4\nfive,6\n");
    await assert.rejects(
      readNumericRows(file),
      (error) =>
        isCodedError("DATA_NOT_NUMERIC", file, 4, /line 4, column "x" \(1 of 2\) holds "five"/)(error) &&
        (error as { column?: string }).column === "x",
    );
    const huge = scratch.write(".csv", "x\n1e39\n");
    await assert.rejects(readNumericRows(huge), isCodedError("DATA_NOT_NUMERIC", huge, 2, /finite 32-bit/));
    const bool = scratch.write(".jsonl", '{"a": true}\n');
    await assert.rejects(readNumericRows(bool), isCodedError("DATA_NOT_NUMERIC", bool, 1, /true/));
  });

  it("refuses a file without a header, an unknown column and a file without rows", async () => {
    const headless = scratch.write(".csv", "1,2\n3,4\n");
    await assert.rejects(readNumericRows(headless), isCodedError("DATA_BAD_ROW", headless, 1, /header row/));
    const file = scratch.write(".csv", "x,y\n1,2\n");
    await assert.rejects(
      readNumericRows(file, { columns: ["z"] }),
      isCodedError("DATA_MISSING_COLUMN", file, undefined, /no column named "z"/),
    );
    const empty = scratch.write(".csv", "x,y\n");
    await assert.rejects(readNumericRows(empty), isCodedError("DATA_EMPTY", empty, undefined, /no rows/));
  });
});
