import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERROR_CATALOGUE, TextkitError } from "./errors.ts";

describe("TextkitError", () => {
  it("says the file once when the message starts with it", () => {
    const error = new TextkitError("DATA_FILE_NOT_FOUND", "data/a.csv does not exist", {
      file: "data/a.csv",
    });
    assert.equal(error.describe(), "data/a.csv: does not exist [DATA_FILE_NOT_FOUND]");
    const atLine = new TextkitError("DATA_BAD_ROW", "data/a.csv has 3 fields", {
      file: "data/a.csv",
      line: 4,
    });
    assert.equal(atLine.describe(), "data/a.csv:4: has 3 fields [DATA_BAD_ROW]");
  });

  it("keeps a message that does not start with the file, and one without a file, whole", () => {
    const error = new TextkitError("DATA_BAD_ROW", "line 4 has 3 fields", { file: "a.csv", line: 4 });
    assert.equal(error.describe(), "a.csv:4: line 4 has 3 fields [DATA_BAD_ROW]");
    const prefix = new TextkitError("DATA_BAD_ROW", "a.csvx is another file", { file: "a.csv" });
    assert.equal(prefix.describe(), "a.csv: a.csvx is another file [DATA_BAD_ROW]");
    assert.equal(new TextkitError("EVAL_EMPTY", "nothing").describe(), "nothing [EVAL_EMPTY]");
  });

  it("takes a hint for the case at hand, else its code's", () => {
    const own = new TextkitError("DATA_MISSING_COLUMN", "no column", { hint: "Pass --target." });
    assert.equal(own.hint, "Pass --target.");
    assert.equal(own.toJSON()["hint"], "Pass --target.");
    assert.equal(
      new TextkitError("DATA_MISSING_COLUMN", "no column").hint,
      ERROR_CATALOGUE.DATA_MISSING_COLUMN.hint,
    );
  });

  it("has no hint that names a library option instead of a flag", () => {
    for (const [code, { hint }] of Object.entries(ERROR_CATALOGUE)) {
      assert.doesNotMatch(hint, /\b(textColumn|labelColumn|minCount|minDf)\b/, code);
    }
  });
});
