import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chunksToTags,
  convertTags,
  detectTagScheme,
  findTagViolation,
  parseTag,
  TAG_SCHEMES,
  type TagScheme,
  tagChunks,
} from "./tag-schemes.ts";

/** The same entities in each scheme: "John Smith | Paris | Acme Corp Inc | Bob | Alice" with two adjacent PERs. */
const SAME: Record<TagScheme, string[]> = {
  iob1: ["I-PER", "I-PER", "O", "I-LOC", "O", "I-ORG", "I-ORG", "I-ORG", "I-PER", "B-PER", "O"],
  bio: ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG", "B-PER", "B-PER", "O"],
  bioes: ["B-PER", "E-PER", "O", "S-LOC", "O", "B-ORG", "I-ORG", "E-ORG", "S-PER", "S-PER", "O"],
};
const SAME_CHUNKS = [
  { start: 0, end: 2, type: "PER" },
  { start: 3, end: 4, type: "LOC" },
  { start: 5, end: 8, type: "ORG" },
  { start: 8, end: 9, type: "PER" },
  { start: 9, end: 10, type: "PER" },
];

describe("parseTag", () => {
  it("splits prefix and type, reading L- as E- and U- as S-", () => {
    assert.deepEqual(parseTag("O"), { prefix: "O", type: "" });
    assert.deepEqual(parseTag("B-PER"), { prefix: "B", type: "PER" });
    assert.deepEqual(parseTag("I-LOC"), { prefix: "I", type: "LOC" });
    assert.deepEqual(parseTag("E-ORG"), { prefix: "E", type: "ORG" });
    assert.deepEqual(parseTag("S-MISC"), { prefix: "S", type: "MISC" });
    assert.deepEqual(parseTag("L-ORG"), { prefix: "E", type: "ORG" });
    assert.deepEqual(parseTag("U-LOC"), { prefix: "S", type: "LOC" });
  });

  it("keeps a type that holds dashes or non-ASCII letters whole", () => {
    assert.deepEqual(parseTag("B-GPE-CITY"), { prefix: "B", type: "GPE-CITY" });
    assert.deepEqual(parseTag("I-地名"), { prefix: "I", type: "地名" });
  });

  it("returns null for what is not a tag", () => {
    for (const tag of ["", "B", "B-", "I-", "X-PER", "b-per", "B_PER", "PER", "o", "O-PER", "BPER"]) {
      assert.equal(parseTag(tag), null, tag);
    }
  });
});

describe("findTagViolation", () => {
  it("accepts the same entities written in each scheme, and empty or all-O sequences", () => {
    for (const scheme of TAG_SCHEMES) {
      assert.equal(findTagViolation(SAME[scheme], scheme), null, scheme);
      assert.equal(findTagViolation([], scheme), null, scheme);
      assert.equal(findTagViolation(["O", "O"], scheme), null, scheme);
    }
  });

  it("BIO: I- must continue an entity of its type", () => {
    assert.equal(findTagViolation(["B-PER", "I-PER", "B-PER", "B-LOC"], "bio"), null);
    assert.deepEqual(findTagViolation(["O", "I-PER"], "bio"), {
      index: 1,
      reason: "I-PER follows O; in BIO an entity starts with B-PER",
    });
    assert.deepEqual(findTagViolation(["I-PER"], "bio"), {
      index: 0,
      reason: "I-PER follows the start of the sentence; in BIO an entity starts with B-PER",
    });
    assert.equal(findTagViolation(["B-PER", "I-LOC"], "bio")?.index, 1);
    assert.equal(findTagViolation(["B-PER", "O", "I-PER"], "bio")?.index, 2);
  });

  it("IOB1: B- only directly after an entity of its type; I- anywhere", () => {
    assert.equal(findTagViolation(["I-PER", "O", "I-LOC", "I-PER", "B-PER", "B-PER"], "iob1"), null);
    const atStart = findTagViolation(["B-PER"], "iob1");
    assert.equal(atStart?.index, 0);
    assert.match(atStart?.reason ?? "", /only separates two adjacent PER entities/);
    assert.equal(findTagViolation(["O", "B-LOC"], "iob1")?.index, 1);
    assert.equal(findTagViolation(["I-PER", "B-LOC"], "iob1")?.index, 1);
  });

  it("BIO and IOB1 refuse E-, S-, L- and U- tags", () => {
    for (const scheme of ["bio", "iob1"] as const) {
      for (const tag of ["S-PER", "U-PER"]) {
        const v = findTagViolation(["O", tag], scheme);
        assert.equal(v?.index, 1);
        assert.match(
          v?.reason ?? "",
          new RegExp(`${tag} is a BIOES tag, but the data is read as ${scheme.toUpperCase()}`),
        );
      }
      assert.equal(findTagViolation(["O", "E-PER"], scheme)?.index, 1);
      assert.equal(findTagViolation(["O", "L-PER"], scheme)?.index, 1);
    }
  });

  it("BIOES: entities open with B- or are S-, continue with I-, close with E-", () => {
    assert.equal(findTagViolation(["B-PER", "I-PER", "I-PER", "E-PER", "S-LOC", "S-LOC"], "bioes"), null);
    assert.equal(findTagViolation(["B-PER", "L-PER", "U-LOC"], "bioes"), null);
    // I- or E- without an open entity of its type.
    assert.equal(findTagViolation(["I-PER", "E-PER"], "bioes")?.index, 0);
    assert.equal(findTagViolation(["O", "E-PER"], "bioes")?.index, 1);
    assert.equal(findTagViolation(["S-PER", "E-PER"], "bioes")?.index, 1);
    assert.equal(findTagViolation(["B-PER", "E-LOC"], "bioes")?.index, 1);
    // An open entity followed by anything but its I-/E-.
    const unclosed = findTagViolation(["B-PER", "O"], "bioes");
    assert.deepEqual(unclosed, {
      index: 1,
      reason: "B-PER is not closed: in BIOES it must be followed by I-PER or E-PER",
    });
    assert.equal(findTagViolation(["B-PER", "B-PER", "E-PER"], "bioes")?.index, 1);
    assert.equal(findTagViolation(["B-PER", "I-PER", "S-PER"], "bioes")?.index, 2);
    // An entity still open at the end.
    assert.deepEqual(findTagViolation(["O", "B-PER", "I-PER"], "bioes"), {
      index: 2,
      reason: "I-PER ends the sentence; in BIOES an entity ends with E-PER",
    });
    assert.equal(findTagViolation(["B-PER"], "bioes")?.index, 0);
  });

  it("names a token that is not a tag, in every scheme", () => {
    for (const scheme of TAG_SCHEMES) {
      const v = findTagViolation(["O", "O", "PER"], scheme);
      assert.equal(v?.index, 2);
      assert.match(v?.reason ?? "", /'PER' is not a tag/);
    }
    assert.match(findTagViolation(["x"], "bioes")?.reason ?? "", /E-, S-/);
  });
});

describe("tagChunks", () => {
  it("finds the same entities in each scheme", () => {
    for (const scheme of TAG_SCHEMES) assert.deepEqual(tagChunks(SAME[scheme], scheme), SAME_CHUNKS, scheme);
  });

  it("reads L-/U- like E-/S-", () => {
    assert.deepEqual(tagChunks(["B-PER", "L-PER", "U-LOC"], "bioes"), [
      { start: 0, end: 2, type: "PER" },
      { start: 2, end: 3, type: "LOC" },
    ]);
  });

  it("closes an entity at the end of the sentence and where the type changes", () => {
    assert.deepEqual(tagChunks(["O", "B-PER", "I-PER"], "bio"), [{ start: 1, end: 3, type: "PER" }]);
    assert.deepEqual(tagChunks(["I-PER", "I-LOC"], "iob1"), [
      { start: 0, end: 1, type: "PER" },
      { start: 1, end: 2, type: "LOC" },
    ]);
    assert.deepEqual(tagChunks([], "bio"), []);
    assert.deepEqual(tagChunks(["O", "O"], "bioes"), []);
  });
});

describe("chunksToTags and convertTags", () => {
  it("writes the same entities in each scheme", () => {
    for (const scheme of TAG_SCHEMES) {
      assert.deepEqual(chunksToTags(SAME_CHUNKS, SAME[scheme].length, scheme), SAME[scheme], scheme);
    }
  });

  it("converts between every pair of schemes", () => {
    for (const from of TAG_SCHEMES) {
      for (const to of TAG_SCHEMES) {
        assert.deepEqual(convertTags(SAME[from], from, to), SAME[to], `${from} -> ${to}`);
      }
    }
  });

  it("round-trips iob1 -> bio -> bioes -> iob1, and every result is valid in its scheme", () => {
    const sentences = [
      ["I-ORG", "O", "I-MISC", "O", "O", "O", "I-MISC", "O", "O"],
      ["I-PER", "I-PER"],
      ["I-LOC", "B-LOC", "I-LOC", "B-LOC", "I-PER", "B-PER"],
      ["O"],
      [],
    ];
    for (const iob1 of sentences) {
      assert.equal(findTagViolation(iob1, "iob1"), null);
      const bio = convertTags(iob1, "iob1", "bio");
      const bioes = convertTags(bio, "bio", "bioes");
      assert.equal(findTagViolation(bio, "bio"), null);
      assert.equal(findTagViolation(bioes, "bioes"), null);
      assert.deepEqual(convertTags(bioes, "bioes", "iob1"), iob1);
      assert.deepEqual(convertTags(bioes, "bioes", "bio"), bio);
      assert.deepEqual(tagChunks(bioes, "bioes"), tagChunks(iob1, "iob1"));
    }
  });

  it("the CoNLL-2003 IOB1 to BIO case", () => {
    assert.deepEqual(convertTags(["I-PER", "I-PER", "B-PER"], "iob1", "bio"), ["B-PER", "I-PER", "B-PER"]);
    assert.deepEqual(convertTags(["B-LOC", "I-LOC", "O", "B-LOC"], "bio", "iob1"), [
      "I-LOC",
      "I-LOC",
      "O",
      "I-LOC",
    ]);
  });

  it("writes L-/U- input out as E-/S-", () => {
    assert.deepEqual(convertTags(["B-PER", "L-PER", "U-LOC"], "bioes", "bioes"), ["B-PER", "E-PER", "S-LOC"]);
  });
});

describe("detectTagScheme", () => {
  it("finds each scheme from its own tags", () => {
    for (const scheme of TAG_SCHEMES) assert.equal(detectTagScheme([SAME[scheme]]), scheme);
  });

  it("says BIOES for any E-/S-/L-/U- tag", () => {
    assert.equal(detectTagScheme([["O"], ["B-X", "L-X"]]), "bioes");
    assert.equal(detectTagScheme([["U-X"]]), "bioes");
  });

  it("says IOB1 when more entities start with I- than with a B- after no entity of its type", () => {
    assert.equal(detectTagScheme([["I-PER", "I-PER"], ["O", "I-LOC"], ["B-ORG"]]), "iob1");
    // One stray I- among B- starts is a mistake in a BIO file, not evidence of IOB1.
    assert.equal(
      detectTagScheme([
        ["B-PER", "I-PER"],
        ["O", "I-LOC"],
        ["B-ORG", "O", "B-LOC"],
      ]),
      "bio",
    );
    assert.equal(detectTagScheme([["I-PER", "I-LOC"]]), "iob1");
    // A sentence boundary closes the entity: I- at the start of the next one starts an entity.
    assert.equal(detectTagScheme([["I-PER"], ["I-PER"]]), "iob1");
    // A tie goes to BIO, the more common scheme.
    assert.equal(detectTagScheme([["B-PER"], ["I-PER"]]), "bio");
  });

  it("says BIO for data without entities, and ignores what is not a tag", () => {
    assert.equal(detectTagScheme([]), "bio");
    assert.equal(detectTagScheme([["O", "O"], []]), "bio");
    assert.equal(detectTagScheme([["B-PER", "junk", "I-PER"]]), "bio");
  });

  it("reads any iterable of sentences", () => {
    function* sentences() {
      yield ["O"];
      yield ["I-ORG", "O"];
    }
    assert.equal(detectTagScheme(sentences()), "iob1");
  });
});
