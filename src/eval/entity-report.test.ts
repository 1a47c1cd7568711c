import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError, type TextkitError, tagChunks } from "../core/index.ts";
import { entityChunks } from "./entity-chunks.ts";
import { entityReport, entityReportToDict, formatEntityReport } from "./entity-report.ts";
import { formatTokenLevelReport, tokenLevelReport } from "./token-level-report.ts";

function assertClose(actual: number, expected: number, where: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${where}: ${actual} != ${expected}`);
}

function assertCode(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isTextkitError(err), `expected a TextkitError, got ${String(err)}`);
    const e: TextkitError = err;
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

/** [type, precision, recall, f1, support] per row, for short assertions. */
function rows(report: ReturnType<typeof entityReport>): [string, number, number, number, number][] {
  return report.types.map((t) => [t.type, t.precision, t.recall, t.f1, t.support]);
}

describe("entityReport", () => {
  // seqeval's README example (seqeval 1.x, published output)
  const readmeTrue = [
    ["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"],
    ["B-PER", "I-PER", "O"],
  ];
  const readmePred = [
    ["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"],
    ["B-PER", "I-PER", "O"],
  ];

  it("gives seqeval's README numbers", () => {
    const report = entityReport(readmeTrue, readmePred);
    // MISC is predicted one token too early: no match; PER matches
    assert.deepEqual(rows(report), [
      ["MISC", 0, 0, 0, 1],
      ["PER", 1, 1, 1, 1],
    ]);
    assert.deepEqual(report.micro, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    assert.deepEqual(report.macro, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    assert.deepEqual(report.weighted, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    assert.equal(report.trueEntities, 2);
    assert.equal(report.predictedEntities, 2);
    assert.equal(report.correctEntities, 1);
    // tokens 2 and 3 of the first sentence differ: 8 of 10
    assert.equal(report.tokens, 10);
    assert.equal(report.tokenAccuracy, 0.8);
    assert.equal(report.scheme, "bio");
    assert.equal(report.mode, "strict");
  });

  it("prints seqeval's README table under a line saying what it measures", () => {
    const expected = [
      "Entity-level report, strict matching (BIO): an entity is found when its start, end and type match; ill-formed predicted tags form no entity",
      "",
      "              precision    recall  f1-score   support",
      "",
      "        MISC       0.00      0.00      0.00         1",
      "         PER       1.00      1.00      1.00         1",
      "",
      "   micro avg       0.50      0.50      0.50         2",
      "   macro avg       0.50      0.50      0.50         2",
      "weighted avg       0.50      0.50      0.50         2",
      "",
    ].join("\n");
    assert.equal(formatEntityReport(entityReport(readmeTrue, readmePred)), expected);
    const conlleval = formatEntityReport(entityReport(readmeTrue, readmePred, { mode: "conlleval" }));
    assert.ok(conlleval.startsWith("Entity-level report, conlleval matching: "));
  });

  it("uses the report's digits unless told otherwise, and widens the type column", () => {
    const report = entityReport([["B-ORGANISATION_NAME"]], [["B-ORGANISATION_NAME"]], { digits: 4 });
    const text = formatEntityReport(report);
    // "1.0000" right-aligned in 9 columns after a separating space
    assert.match(text, /\nORGANISATION_NAME {5}1\.0000 {4}1\.0000/);
    assert.match(text, /\n {8}micro avg {5}1\.0000/);
    assert.match(formatEntityReport(report, 1), /\nORGANISATION_NAME {8}1\.0 /);
  });

  it("has seqeval's output_dict shape", () => {
    const dict = entityReportToDict(entityReport(readmeTrue, readmePred));
    assert.deepEqual(Object.keys(dict), ["MISC", "PER", "micro avg", "macro avg", "weighted avg"]);
    assert.deepEqual(dict["PER"], { precision: 1, recall: 1, "f1-score": 1, support: 1 });
  });

  it("counts an I- start as an entity in conlleval mode but not in strict mode", () => {
    const yTrue = [["O", "B-PER", "I-PER"]];
    const yPred = [["O", "I-PER", "I-PER"]];
    const conlleval = entityReport(yTrue, yPred, { mode: "conlleval" });
    assert.deepEqual(rows(conlleval), [["PER", 1, 1, 1, 1]]);
    const strict = entityReport(yTrue, yPred, { mode: "strict" });
    // nothing predicted: precision 0/0 -> 0
    assert.deepEqual(rows(strict), [["PER", 0, 0, 0, 1]]);
    assert.equal(strict.predictedEntities, 0);
  });

  it("weights by support and averages each type's F1 for macro", () => {
    const yTrue = [["B-PER", "O", "B-PER", "O", "B-PER", "O", "B-LOC"]];
    const yPred = [["B-PER", "O", "B-PER", "O", "O", "O", "B-ORG"]];
    const report = entityReport(yTrue, yPred);
    // LOC: 0 of 1 found, never predicted; ORG: 1 predicted, none true; PER: 2 of 2 right, 2 of 3 found
    assert.deepEqual(
      report.types.map((t) => [t.type, t.support, t.predicted, t.correct]),
      [
        ["LOC", 1, 0, 0],
        ["ORG", 0, 1, 0],
        ["PER", 3, 2, 2],
      ],
    );
    const per = report.types[2];
    assert.ok(per, "a PER row");
    assert.equal(per.precision, 1);
    assert.equal(per.recall, 2 / 3);
    assertClose(per.f1, 0.8, "PER f1");
    // micro: 2 right of 3 predicted, of 4 true
    assertClose(report.micro.precision, 2 / 3, "micro p");
    assertClose(report.micro.recall, 0.5, "micro r");
    assertClose(report.micro.f1, 4 / 7, "micro f1");
    assertClose(report.macro.precision, 1 / 3, "macro p");
    assertClose(report.macro.recall, 2 / 9, "macro r");
    assertClose(report.macro.f1, 0.8 / 3, "macro f1");
    // weights 1, 0, 3 over 4
    assertClose(report.weighted.precision, 0.75, "weighted p");
    assertClose(report.weighted.recall, 0.5, "weighted r");
    assertClose(report.weighted.f1, 0.6, "weighted f1");
    assert.equal(report.weighted.support, 4);
  });

  it("reads BIOES: an unclosed B- is no entity in strict mode, a chunk in conlleval mode", () => {
    const yTrue = [["B-PER", "E-PER", "O", "S-LOC"]];
    const yPred = [["B-PER", "I-PER", "O", "S-LOC"]];
    const strict = entityReport(yTrue, yPred, { scheme: "bioes" });
    assert.deepEqual(rows(strict), [
      ["LOC", 1, 1, 1, 1],
      ["PER", 0, 0, 0, 1],
    ]);
    assert.ok(formatEntityReport(strict).startsWith("Entity-level report, strict matching (BIOES): "));
    const conlleval = entityReport(yTrue, yPred, { scheme: "bioes", mode: "conlleval" });
    assert.deepEqual(rows(conlleval), [
      ["LOC", 1, 1, 1, 1],
      ["PER", 1, 1, 1, 1],
    ]);
  });

  it("reads IOB1: I- starts an entity, B- only splits two of the same type", () => {
    const yTrue = [["I-PER", "I-PER", "B-PER", "O", "I-LOC"]];
    const yPred = [["I-PER", "B-PER", "I-PER", "O", "B-LOC"]];
    // true: PER [0,2), PER [2,3), LOC [4,5); predicted: PER [0,1), PER [1,3), and B-LOC after O,
    // which is ill-formed in IOB1
    const strict = entityReport(yTrue, yPred, { scheme: "iob1" });
    assert.deepEqual(
      strict.types.map((t) => [t.type, t.support, t.predicted, t.correct]),
      [
        ["LOC", 1, 0, 0],
        ["PER", 2, 2, 0],
      ],
    );
    const conlleval = entityReport(yTrue, yPred, { scheme: "iob1", mode: "conlleval" });
    assert.deepEqual(
      conlleval.types.map((t) => [t.type, t.support, t.predicted, t.correct]),
      [
        ["LOC", 1, 1, 1],
        ["PER", 2, 2, 0],
      ],
    );
  });

  it("keeps adjacent entities of one type apart", () => {
    const report = entityReport([["B-PER", "B-PER", "I-PER"]], [["B-PER", "I-PER", "I-PER"]]);
    // true: [0,1) and [1,3); predicted: [0,3), which matches neither
    assert.deepEqual(rows(report), [["PER", 0, 0, 0, 2]]);
    assert.equal(report.predictedEntities, 1);
    const right = entityReport([["B-PER", "B-PER", "I-PER"]], [["B-PER", "B-PER", "I-PER"]]);
    assert.deepEqual(rows(right), [["PER", 1, 1, 1, 2]]);
  });

  it("counts the right span with the wrong type as wrong for both types", () => {
    const report = entityReport([["B-PER", "I-PER"]], [["B-ORG", "I-ORG"]]);
    assert.deepEqual(rows(report), [
      ["ORG", 0, 0, 0, 0],
      ["PER", 0, 0, 0, 1],
    ]);
    assert.deepEqual(report.micro, { precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it("gives 0, not NaN, when nothing is predicted or there are no entities at all", () => {
    const none = entityReport([["B-PER", "O"], ["O"]], [["O", "O"], ["O"]]);
    assert.deepEqual(rows(none), [["PER", 0, 0, 0, 1]]);
    assert.deepEqual(none.micro, { precision: 0, recall: 0, f1: 0, support: 1 });
    assert.equal(none.tokenAccuracy, 2 / 3);
    const empty = entityReport([["O"]], [["O"]]);
    assert.deepEqual(empty.types, []);
    for (const avg of [empty.micro, empty.macro, empty.weighted]) {
      assert.deepEqual(avg, { precision: 0, recall: 0, f1: 0, support: 0 });
    }
    assert.doesNotMatch(formatEntityReport(empty), /nan/);
  });

  it("refuses mismatched, empty and malformed input with codes", () => {
    assertCode(
      () => entityReport([["O"]], [["O"], ["O"]]),
      "EVAL_LENGTH_MISMATCH",
      /1 sentences but yPred has 2/,
    );
    assertCode(
      () => entityReport([["O"], ["O", "B-PER"]], [["O"], ["O"]]),
      "EVAL_LENGTH_MISMATCH",
      /sentence 1 has 2 true tags but 1 predicted/,
    );
    assertCode(() => entityReport([], []), "EVAL_EMPTY", /no sentences/);
    assertCode(() => entityReport([[]], [[]]), "EVAL_EMPTY", /no tokens/);
    assertCode(
      () => entityReport([["O"]], [["PER"]]),
      "EVAL_BAD_TARGETS",
      /yPred\[0\]\[0\] is the string "PER", not a tag/,
    );
    const numbers: unknown = [[7]];
    assertCode(
      () => entityReport([["O"]], numbers as string[][]),
      "EVAL_BAD_TARGETS",
      /^yPred\[0\]\[0\] is a number; every tag must be a string$/,
    );
    const flat: unknown = ["O"];
    assertCode(
      () => entityReport([["O"]], flat as string[][]),
      "EVAL_BAD_TARGETS",
      /^yPred\[0\] is the string "O"; each sentence/,
    );
    const lenient: unknown = "lenient";
    assertCode(
      () => entityReport([["O"]], [["O"]], { mode: lenient as "strict" }),
      "OPTION_INVALID",
      /^mode must be one of strict, conlleval, got "lenient"$/,
    );
    const iob2: unknown = "iob2";
    assertCode(
      () => entityReport([["O"]], [["O"]], { scheme: iob2 as "bio" }),
      "OPTION_INVALID",
      /^scheme must be one of iob1, bio, bioes, got "iob2"$/,
    );
    assertCode(() => entityReport([["O"]], [["O"]], { digits: -1 }), "OPTION_INVALID", /digits/);
  });

  it("refuses true tags that break the scheme in strict mode, naming sentence and token", () => {
    const yTrue = [["O"], ["O", "I-PER"]];
    assertCode(
      () => entityReport(yTrue, yTrue),
      "EVAL_BAD_TARGETS",
      /yTrue\[1\] is not valid BIO at token 1/,
    );
    // the same data read as IOB1, or in conlleval mode, is fine
    assert.equal(entityReport(yTrue, yTrue, { scheme: "iob1" }).micro.f1, 1);
    assert.equal(entityReport(yTrue, yTrue, { mode: "conlleval" }).micro.f1, 1);
  });
});

describe("entityChunks", () => {
  const bio = { scheme: "bio", mode: "strict" } as const;

  it("gives tagChunks' entities on valid sequences, in both modes", () => {
    const cases = [
      { scheme: "bio", tags: ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-LOC", "B-ORG"] },
      { scheme: "iob1", tags: ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "B-ORG"] },
      { scheme: "bioes", tags: ["B-PER", "I-PER", "E-PER", "S-PER", "O", "S-LOC", "B-ORG", "E-ORG"] },
    ] as const;
    for (const { scheme, tags } of cases) {
      for (const mode of ["strict", "conlleval"] as const) {
        assert.deepEqual(entityChunks(tags, { scheme, mode }), tagChunks(tags, scheme), `${scheme} ${mode}`);
      }
    }
  });

  it("drops ill-formed runs in strict BIO and keeps the well-formed ones beside them", () => {
    assert.deepEqual(entityChunks(["I-PER", "B-PER", "I-PER", "I-LOC", "O"], bio), [
      { start: 1, end: 3, type: "PER" },
    ]);
    // E- and S- are not BIO tags
    assert.deepEqual(entityChunks(["B-PER", "E-PER", "S-LOC"], bio), []);
  });

  it("drops unclosed or unopened runs in strict BIOES", () => {
    const bioes = { scheme: "bioes", mode: "strict" } as const;
    assert.deepEqual(entityChunks(["B-PER", "B-PER", "E-PER", "E-PER", "I-LOC", "E-LOC", "B-ORG"], bioes), [
      { start: 1, end: 3, type: "PER" },
    ]);
    assert.deepEqual(entityChunks(["B-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC"], bioes), [
      { start: 1, end: 2, type: "PER" },
      { start: 2, end: 5, type: "LOC" },
    ]);
  });

  it("follows conlleval's chunk boundaries on invalid sequences", () => {
    const conlleval = { scheme: "bio", mode: "conlleval" } as const;
    assert.deepEqual(entityChunks(["I-PER", "I-LOC", "I-LOC", "B-LOC", "O", "I-ORG"], conlleval), [
      { start: 0, end: 1, type: "PER" },
      { start: 1, end: 3, type: "LOC" },
      { start: 3, end: 4, type: "LOC" },
      { start: 5, end: 6, type: "ORG" },
    ]);
    // E- ends a chunk and S- is one; I-/E- after them start a new one
    assert.deepEqual(entityChunks(["B-PER", "E-PER", "I-PER", "S-PER", "E-PER", "B-LOC"], conlleval), [
      { start: 0, end: 2, type: "PER" },
      { start: 2, end: 3, type: "PER" },
      { start: 3, end: 4, type: "PER" },
      { start: 4, end: 5, type: "PER" },
      { start: 5, end: 6, type: "LOC" },
    ]);
  });

  it("refuses what is not a tag and unknown options", () => {
    assertCode(
      () => entityChunks(["O", "X-PER"], bio),
      "EVAL_BAD_TARGETS",
      /tags\[1\] is the string "X-PER"/,
    );
    const loose: unknown = "loose";
    assertCode(
      () => entityChunks(["O"], { scheme: "bio", mode: loose as "strict" }),
      "OPTION_INVALID",
      /mode/,
    );
  });
});

describe("tokenLevelReport", () => {
  // tokens (true, predicted): (B-PER, B-PER) (I-PER, O) (O, O) (O, B-PER)
  const yTrue = [
    ["B-PER", "I-PER"],
    ["O", "O"],
  ];
  const yPred = [
    ["B-PER", "O"],
    ["O", "B-PER"],
  ];

  it("scores every tag, O included, with an accuracy row", () => {
    const report = tokenLevelReport(yTrue, yPred, { includeO: true });
    // B-PER: 1 right of 2 predicted, 1 true; I-PER never predicted; O: 1 right of 2 predicted, 2 true
    assert.deepEqual(
      report.labels.map((l) => [l.label, l.precision, l.recall, l.support]),
      [
        ["B-PER", 0.5, 1, 1],
        ["I-PER", 0, 0, 1],
        ["O", 0.5, 0.5, 2],
      ],
    );
    assert.equal(report.accuracy, 0.5);
    assert.equal(report.micro, undefined);
    const expected = [
      "Token-level report (not entity-level), with O: every token's tag scored as a label, O included",
      "",
      "              precision    recall  f1-score   support",
      "",
      "       B-PER       0.50      1.00      0.67         1",
      "       I-PER       0.00      0.00      0.00         1",
      "           O       0.50      0.50      0.50         2",
      "",
      "    accuracy                           0.50         4",
      "   macro avg       0.33      0.50      0.39         4",
      "weighted avg       0.38      0.50      0.42         4",
      "",
    ].join("\n");
    assert.equal(formatTokenLevelReport(report), expected);
  });

  it("leaves O out and then reports a micro average over the other tags", () => {
    const report = tokenLevelReport(yTrue, yPred, { includeO: false, digits: 2 });
    assert.equal(report.accuracy, undefined);
    // over B-PER and I-PER: 1 right of 2 predicted, of 2 true
    assert.deepEqual(report.micro, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    const expected = [
      "Token-level report (not entity-level), without O: every token's tag scored as a label, O left out",
      "",
      "              precision    recall  f1-score   support",
      "",
      "       B-PER       0.50      1.00      0.67         1",
      "       I-PER       0.00      0.00      0.00         1",
      "",
      "   micro avg       0.50      0.50      0.50         2",
      "   macro avg       0.25      0.50      0.33         2",
      "weighted avg       0.25      0.50      0.33         2",
      "",
    ].join("\n");
    assert.equal(formatTokenLevelReport(report), expected);
  });

  it("refuses bad input with codes", () => {
    assertCode(
      () => tokenLevelReport([["O", "O"]], [["O"]], { includeO: true }),
      "EVAL_LENGTH_MISMATCH",
      /sentence 0/,
    );
    assertCode(() => tokenLevelReport([["O"]], [["O"]], { includeO: false }), "EVAL_EMPTY", /every tag is O/);
    const yes: unknown = "yes";
    assertCode(
      () => tokenLevelReport([["O"]], [["O"]], { includeO: yes as boolean }),
      "OPTION_INVALID",
      /includeO/,
    );
  });
});
