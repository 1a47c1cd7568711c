/**
 * `textkit classify eval` on data whose labels the model was not trained on (issue 15 item
 * 19): every such example counts as an error, so the command warns with the counts, and
 * refuses data that shares no label with the model instead of printing accuracy 0.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const scratch = scratchFiles("cli-classify-eval");
const WORDS: Record<string, string[]> = {
  sport: ["goal", "match", "team", "score", "coach"],
  food: ["pizza", "pasta", "bread", "cheese", "soup"],
};

function rows(labels: Record<string, string>, n: number): string {
  let csv = "text,label\n";
  for (let i = 0; i < n; i++) {
    for (const [topic, label] of Object.entries(labels)) {
      const w = WORDS[topic]!;
      csv += `the ${w[i % 5]} ${w[(i + 2) % 5]},${label}\n`;
    }
  }
  return csv;
}

const model = join(scratch.path, "model");
before(async () => {
  const train = scratch.write(".csv", rows({ sport: "sport", food: "food" }, 15));
  const r = await runCli([
    "classify",
    "train",
    "--train",
    train,
    "--out",
    model,
    "--epochs",
    "10",
    "--dim",
    "8",
  ]);
  assert.equal(r.code, 0, r.stderr);
});

describe("classify eval with labels the model does not know", () => {
  it("warns with how many examples carry an unknown label, and which, and still reports", async () => {
    const data = scratch.write(".csv", rows({ sport: "sport", food: "cooking" }, 4));
    const r = await runCli(["classify", "eval", "--model", model, "--data", data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^warning: 4 of 8 examples \(50\.0%\) in .*\.csv have labels the model does not know, and count as errors: "cooking" \(4\)$/m,
    );
    assert.match(r.stdout, /accuracy/);
    const json = await runCli(["classify", "eval", "--model", model, "--data", data, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).unknownLabels, { examples: 4, labels: { cooking: 4 } });
  });

  it("refuses data that shares no label with the model, with EVAL_LABELS_UNKNOWN and the file", async () => {
    const data = scratch.write(".csv", rows({ sport: "Sports", food: "Food" }, 3));
    const r = await runCli(["classify", "eval", "--model", model, "--data", data]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^error: .*\.csv:2: none of the labels in .* is one the model knows: the data has "Food" \(3\), "Sports" \(3\); the model's labels are "(food|sport)", "(food|sport)" \[EVAL_LABELS_UNKNOWN\]$/m,
    );
    assert.match(r.stderr, /^hint: .*--label-column/m);
  });

  it("says nothing when every label is known", async () => {
    const data = scratch.write(".csv", rows({ sport: "sport", food: "food" }, 2));
    const r = await runCli(["classify", "eval", "--model", model, "--data", data]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
  });
});
