import assert from "node:assert/strict";
import { test } from "node:test";
import { cellValue, resultJson, resultTables } from "../bench/result-json.ts";

test("cells that are numbers become numbers; the rest stays text", () => {
  assert.equal(cellValue("84.98"), 84.98);
  assert.equal(cellValue("191,125"), 191125);
  assert.equal(cellValue("4.61x"), 4.61);
  assert.equal(cellValue("**1.0126**"), 1.0126);
  assert.equal(cellValue("90.3%"), 90.3);
  assert.equal(cellValue("1.2e-15"), 1.2e-15);
  assert.equal(cellValue("n/a"), "n/a");
  assert.equal(cellValue("textkit (BIOES)"), "textkit (BIOES)");
  assert.equal(cellValue("0.59 / 0.06"), "0.59 / 0.06");
});

test("every table of a page, under its nearest heading, one object per row", () => {
  const page = [
    "# bench:x, 2026-12-07",
    "",
    "| data set | system | F1 % | ratio |",
    "|---|---|---|---|",
    "| a | textkit | 84.98 | 1.00x |",
    "| a | peer | 84.43 | 4.61x |",
    "",
    "## Scaling",
    "",
    "| events | s |",
    "|---:|---:|",
    "| 100,000 | 0.57 |",
    "text after",
  ].join("\n");
  const tables = resultTables(page);
  assert.equal(tables.length, 2);
  assert.deepEqual(tables[0], {
    heading: "bench:x, 2026-12-07",
    columns: ["data set", "system", "F1 %", "ratio"],
    rows: [
      { "data set": "a", system: "textkit", "F1 %": 84.98, ratio: 1 },
      { "data set": "a", system: "peer", "F1 %": 84.43, ratio: 4.61 },
    ],
  });
  assert.deepEqual(tables[1]?.rows, [{ events: 100000, s: 0.57 }]);
  const json = resultJson("x", "2026-12-07", "2 cores", page);
  assert.equal(json.machine, "2 cores");
  assert.equal(json.tables.length, 2);
});

test("a pipe line without a separator row under it is no table", () => {
  assert.deepEqual(resultTables("| not | a table |\nplain text"), []);
});
