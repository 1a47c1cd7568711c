import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError } from "../../test/support/data-files.ts";
import { taggedScratch } from "../../test/support/tagged-files.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";

const { jsonl } = taggedScratch();

describe("loadTaggedDataset, JSONL errors", () => {
  const bad = async (record: string, code: string, message: RegExp) => {
    const path = jsonl(`{"text": "fine"}\n\n${record}\n`);
    await assert.rejects(loadTaggedDataset(path), isCodedError(code, path, 3, message));
  };
  const span = (text: string, entities: unknown) => JSON.stringify({ text, entities });

  it("DATA_BAD_JSON: a line that is not JSON, or not an object", async () => {
    await bad('{"text": "a"', "DATA_BAD_JSON", /^line 3 is not valid JSON/);
    await bad('["a"]', "DATA_BAD_JSON", /^line 3 is an array, not a JSON object/);
  });

  it("DATA_EMPTY_TEXT: a missing, empty or blank text", async () => {
    await bad('{"entities": []}', "DATA_EMPTY_TEXT", /^line 3 has no "text"$/);
    await bad('{"text": ""}', "DATA_EMPTY_TEXT", /^line 3 has an empty "text"$/);
    await bad('{"text": " \\t\\n "}', "DATA_EMPTY_TEXT", /^line 3: "text" has no tokens/);
  });

  it("DATA_BAD_ROW: a text that is not a string", async () => {
    await bad('{"text": 12}', "DATA_BAD_ROW", /"text" must be a string, got a number/);
  });

  it("DATA_BAD_SPAN: entities that are not a list of spans", async () => {
    await bad(span("Paris", { start: 0 }), "DATA_BAD_SPAN", /"entities" must be a list/);
    await bad(span("Paris", [[0, 5]]), "DATA_BAD_SPAN", /entity 1 is \[0,5\]; write an entity as/);
    await bad(span("Paris", ["LOC"]), "DATA_BAD_SPAN", /entity 1 is "LOC"/);
  });

  it("DATA_BAD_JSON, not a stack overflow, for entities nested 100,000 deep (issue 15)", async () => {
    // JSON.parse takes any depth; showing the entity in the message recursed as deep.
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    await bad(
      `{"text": "Paris", "entities": [${deep(100_000)}]}`,
      "DATA_BAD_JSON",
      /nests arrays and objects more than 64 deep/,
    );
    // Below the limit, a bad entity is shown cut short.
    await bad(
      `{"text": "Paris", "entities": [${deep(60)}]}`,
      "DATA_BAD_SPAN",
      /entity 1 is \[\[\[.*\.\.\.; write/,
    );
    await bad(
      `{"text": "Paris", "entities": [[0, ${deep(60)}, "LOC"]]}`,
      "DATA_BAD_SPAN",
      /end \[\[\[.*\.\.\.;/,
    );
    await bad(
      `{"text": "Paris", "entities": [[0, 5, ${deep(60)}]]}`,
      "DATA_BAD_SPAN",
      /label \[\[\[.*\.\.\.;/,
    );
  });

  it("DATA_BAD_SPAN: offsets that are not whole numbers", async () => {
    await bad(
      span("Paris", [[0.5, 5, "LOC"]]),
      "DATA_BAD_SPAN",
      /start 0.5 and end 5; both must be whole numbers/,
    );
    await bad(span("Paris", [["0", 5, "LOC"]]), "DATA_BAD_SPAN", /start "0" and end 5/);
    await bad(span("Paris", [{ start: 0, label: "LOC" }]), "DATA_BAD_SPAN", /start 0 and end undefined/);
  });

  it("DATA_BAD_SPAN: an empty or reversed span", async () => {
    await bad(span("Paris", [[2, 2, "LOC"]]), "DATA_BAD_SPAN", /the span \[2, 2\) is empty/);
    await bad(span("Paris", [[5, 0, "LOC"]]), "DATA_BAD_SPAN", /the span \[5, 0\) is empty/);
  });

  it("DATA_BAD_SPAN: a span outside the text", async () => {
    await bad(
      span("Paris", [[0, 6, "LOC"]]),
      "DATA_BAD_SPAN",
      /\[0, 6\) is outside the text, which has 5 UTF-16 code units/,
    );
    await bad(span("Paris", [[-1, 3, "LOC"]]), "DATA_BAD_SPAN", /\[-1, 3\) is outside the text/);
  });

  it("DATA_BAD_SPAN: overlapping or repeated spans", async () => {
    await bad(
      span("New York City", [
        [4, 13, "LOC"],
        [0, 8, "LOC"],
      ]),
      "DATA_BAD_SPAN",
      /the spans \[0, 8\) 'New York' and \[4, 13\) 'York City' overlap/,
    );
    await bad(
      span("Paris", [
        [0, 5, "LOC"],
        [0, 5, "LOC"],
      ]),
      "DATA_BAD_SPAN",
      /overlap/,
    );
  });

  it("DATA_BAD_SPAN: a label that is not a non-empty string without whitespace", async () => {
    await bad(
      span("Paris", [[0, 5, ""]]),
      "DATA_BAD_SPAN",
      /has the label ""; a label is a non-empty string/,
    );
    await bad(span("Paris", [[0, 5, "NEW LOC"]]), "DATA_BAD_SPAN", /has the label "NEW LOC"/);
    await bad(span("Paris", [[0, 5, 7]]), "DATA_BAD_SPAN", /has the label 7/);
  });

  it("DATA_BAD_SPAN: a span that starts or ends with whitespace", async () => {
    await bad(
      span("in Paris now", [[3, 9, "LOC"]]),
      "DATA_BAD_SPAN",
      /^line 3: the span \[3, 9\) 'Paris ' ends with a space$/,
    );
    await bad(
      span("in Paris", [[2, 8, "LOC"]]),
      "DATA_BAD_SPAN",
      /the span \[2, 8\) ' Paris' starts with a space/,
    );
    await bad(span("Paris\tnow", [[0, 6, "LOC"]]), "DATA_BAD_SPAN", /ends with a tab/);
    await bad(span("巴黎\u3000", [[0, 3, "LOC"]]), "DATA_BAD_SPAN", /ends with whitespace \(U\+3000\)/);
  });

  it("DATA_BAD_SPAN: a span that cuts a character outside the BMP in two", async () => {
    await bad(span("😀 Paris", [[1, 8, "LOC"]]), "DATA_BAD_SPAN", /cuts a character outside the BMP in two/);
  });

  it("DATA_BAD_SPAN: a span over no token at all", async () => {
    await bad(span("a \u200B b", [[2, 3, "X"]]), "DATA_BAD_SPAN", /covers no token/);
  });

  it("DATA_EMPTY: a file without records", async () => {
    const path = jsonl("\n \n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_EMPTY", path, undefined, /has no sentences/),
    );
  });
});
