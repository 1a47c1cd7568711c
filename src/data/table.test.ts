import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import { TextkitError } from "../core/index.ts";
import { loadTable, readTableChunks, selectRows, type Table, tableFromRecords } from "./table.ts";

const files = scratchFiles("table");
const csv = (content: string): string => files.write(".csv", content);

function numeric(table: Table, name: string): number[] {
  const column = table.columns.find((c) => c.name === name);
  assert.ok(column !== undefined && column.kind === "numeric", `no numeric column ${name}`);
  return Array.from(column.values);
}

function categories(table: Table, name: string): (string | null)[] {
  const column = table.columns.find((c) => c.name === name);
  assert.ok(column !== undefined && column.kind === "categorical", `no categorical column ${name}`);
  return Array.from(column.codes, (code) => (code < 0 ? null : column.levels[code]!));
}

describe("loadTable", () => {
  it("types columns: numbers as Float64Array, text as sorted categories, and the target apart", async () => {
    const path = csv("area,city,zip,price\n70, Lyon ,69001,250.5\n45,Paris,75011,310\n90,Lyon,69003,1e2\n");
    const table = await loadTable(path, { target: "price", categorical: ["zip"] });
    assert.equal(table.rows, 3);
    assert.deepEqual(Array.from(table.lines), [2, 3, 4]);
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.kind]),
      [
        ["area", "numeric"],
        ["city", "categorical"],
        ["zip", "categorical"],
      ],
    );
    assert.deepEqual(numeric(table, "area"), [70, 45, 90]);
    assert.deepEqual(categories(table, "city"), ["Lyon", "Paris", "Lyon"]);
    const city = table.columns[1]!;
    assert.ok(city.kind === "categorical");
    assert.deepEqual(city.levels, ["Lyon", "Paris"]);
    assert.deepEqual(categories(table, "zip"), ["69001", "75011", "69003"]);
    assert.deepEqual(Array.from(table.target!.values), [250.5, 310, 100]);
  });

  it("reads only the features asked for, in that order", async () => {
    const path = csv("a,b,c,y\n1,2,3,4\n");
    const table = await loadTable(path, { target: "y", features: ["c", "a"] });
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ["c", "a"],
    );
  });

  it("refuses a non-numeric cell in a numeric column with file, line and column", async () => {
    const path = csv("x,y\n1,2\n3,4\n1,200,5\n");
    await assert.rejects(loadTable(path, { target: "y" }), isCodedError("DATA_BAD_ROW", path, 4, /3 fields/));
    const bad = csv("x,y\n1,2\n3,4\n12.5.1,6\n");
    await assert.rejects(
      loadTable(bad, { target: "y" }),
      (error: unknown) =>
        isCodedError(
          "DATA_NOT_NUMERIC",
          bad,
          4,
          /column "x" holds "12\.5\.1", which is not a number.*line 2/,
        )(error) && (error as TextkitError).column === "x",
    );
    const target = csv("x,y\n1,2\n3,lots\n");
    await assert.rejects(
      loadTable(target, { target: "y" }),
      isCodedError("DATA_NOT_NUMERIC", target, 3, /the target must be a number/),
    );
  });

  it("refuses a column read as categories whose values are mostly numbers (a typo in its first value)", async () => {
    const path = csv("x,y\nl2,1\n3,2\n4,3\n5,4\n");
    await assert.rejects(
      loadTable(path, { target: "y" }),
      isCodedError(
        "DATA_NOT_NUMERIC",
        path,
        2,
        /holds "l2", which is not a number, yet 3 of the column's 4 values/,
      ),
    );
    // Declared categorical, the same column is fine.
    const table = await loadTable(path, { target: "y", categorical: ["x"] });
    assert.deepEqual(categories(table, "x"), ["l2", "3", "4", "5"]);
  });

  it("refuses missing values unless asked to keep them for imputation; never a missing target", async () => {
    const path = csv("a,b,y\n1,x,1\n,y,2\n3,NA,3\n");
    await assert.rejects(
      loadTable(path, { target: "y" }),
      (error: unknown) =>
        isCodedError("DATA_MISSING_VALUE", path, 3, /line 3: column "a" has no value/)(error) &&
        (error as TextkitError).column === "a",
    );
    const table = await loadTable(path, { target: "y", impute: "mean" });
    assert.deepEqual(numeric(table, "a"), [1, Number.NaN, 3]);
    assert.deepEqual(categories(table, "b"), ["x", "y", null]);
    assert.equal(table.columns[0]!.missing, 1);
    assert.equal(table.columns[1]!.missing, 1);
    const noTarget = csv("a,y\n1,1\n2,\n");
    await assert.rejects(
      loadTable(noTarget, { target: "y", impute: "mean" }),
      isCodedError("DATA_MISSING_VALUE", noTarget, 3, /the target is never filled/),
    );
  });

  it("names the columns a missing column could be", async () => {
    const path = csv("a,b\n1,2\n");
    await assert.rejects(
      loadTable(path, { target: "price" }),
      isCodedError(
        "DATA_MISSING_COLUMN",
        path,
        undefined,
        /no column named "price" \(the target\); its columns: "a", "b"/,
      ),
    );
    await assert.rejects(
      loadTable(path, { target: "a", features: ["a"] }),
      /the target; it cannot also be a feature/,
    );
    await assert.rejects(
      loadTable(path, { target: "a", categorical: ["z"] }),
      /categorical column "z" is not among/,
    );
    const twice = csv("a,a\n1,2\n");
    await assert.rejects(loadTable(twice), isCodedError("DATA_BAD_ROW", twice, 1, /names column "a" twice/));
  });

  it("reads TSV and JSONL the same way (JSON numbers, strings and booleans; null and absent keys are missing)", async () => {
    const tsv = files.write(".tsv", "x\tc\ty\n1.5\ta\t2\n2\tb\t3\n");
    const fromTsv = await loadTable(tsv, { target: "y" });
    assert.deepEqual(numeric(fromTsv, "x"), [1.5, 2]);
    const jsonl = files.write(
      ".jsonl",
      '{"x": 1.5, "c": "a", "ok": true, "y": 2}\n\n{"x": "2", "c": "b", "ok": false, "y": 3}\n{"c": null, "ok": true, "y": 4}\n',
    );
    const fromJsonl = await loadTable(jsonl, { target: "y", impute: "mean" });
    assert.deepEqual(numeric(fromJsonl, "x"), [1.5, 2, Number.NaN]);
    assert.deepEqual(categories(fromJsonl, "c"), ["a", "b", null]);
    assert.deepEqual(categories(fromJsonl, "ok"), ["true", "false", "true"]);
    assert.deepEqual(Array.from(fromJsonl.lines), [1, 3, 4]);
    const nested = files.write(".jsonl", '{"x": [1], "y": 1}\n');
    await assert.rejects(
      loadTable(nested, { target: "y" }),
      isCodedError("DATA_BAD_ROW", nested, 1, /"x" is an array/),
    );
  });

  it("fixed kinds (a trained model's) are not inferred", async () => {
    const path = csv("code,y\n7,1\n8,2\n");
    const table = await loadTable(path, { target: "y", kinds: { code: "categorical" } });
    assert.deepEqual(categories(table, "code"), ["7", "8"]);
    const words = csv("n,y\nseven,1\n");
    await assert.rejects(
      loadTable(words, { target: "y", kinds: { n: "numeric" } }),
      isCodedError("DATA_NOT_NUMERIC", words, 2, /the model learnt this column as numbers/),
    );
  });
});

describe("readTableChunks", () => {
  it("streams fixed-size chunks whose category codes agree across chunks", async () => {
    let text = "x,c,y\n";
    for (let i = 0; i < 25; i++) text += `${i},${i % 3 === 0 ? "a" : "b"},${2 * i}\n`;
    const chunks = readTableChunks(csv(text), { target: "y" }, 10);
    const got: Table[] = [];
    for await (const chunk of chunks.rows) got.push(chunk);
    assert.deepEqual(
      got.map((t) => t.rows),
      [10, 10, 5],
    );
    assert.deepEqual(
      got.map((t) => t.lines[0]),
      [2, 12, 22],
    );
    const last = got[2]!.columns[1]!;
    assert.ok(last.kind === "categorical");
    assert.deepEqual(last.levels, ["a", "b"]);
    assert.deepEqual(chunks.kinds(), { x: "numeric", c: "categorical" });
  });
});

describe("tableFromRecords and selectRows", () => {
  it("builds a table from JSON rows, naming a bad cell by its JSON pointer", () => {
    const table = tableFromRecords(
      "request",
      [
        { area: 70, city: "Lyon" },
        { area: "45", city: "Paris", extra: 1 },
      ],
      {
        features: ["area", "city"],
        kinds: { area: "numeric", city: "categorical" },
      },
    );
    assert.deepEqual(numeric(table, "area"), [70, 45]);
    assert.throws(
      () =>
        tableFromRecords("request", [{ area: 1 }, { area: "big" }], {
          features: ["area"],
          kinds: { area: "numeric" },
        }),
      (error: unknown) =>
        error instanceof TextkitError &&
        error.code === "DATA_NOT_NUMERIC" &&
        /^\/inputs\/1\/area holds "big"/.test(error.message) &&
        error.details?.["field"] === "/inputs/1/area",
    );
    assert.throws(
      () => tableFromRecords("request", [{ area: { m2: 1 } }], { features: ["area"] }),
      (error: unknown) => error instanceof TextkitError && error.code === "INPUT_INVALID",
    );
  });

  it("selects rows in the order given", async () => {
    const table = await loadTable(csv("x,c,y\n1,a,10\n2,b,20\n3,a,30\n"), { target: "y" });
    const picked = selectRows(table, Int32Array.of(2, 0));
    assert.deepEqual(numeric(picked, "x"), [3, 1]);
    assert.deepEqual(categories(picked, "c"), ["a", "a"]);
    assert.deepEqual(Array.from(picked.target!.values), [30, 10]);
    assert.deepEqual(Array.from(picked.lines), [4, 2]);
  });
});
