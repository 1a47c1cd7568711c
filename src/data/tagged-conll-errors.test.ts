import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError } from "../../test/support/data-files.ts";
import { taggedScratch } from "../../test/support/tagged-files.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";

const { files, conll } = taggedScratch();

describe("loadTaggedDataset, CoNLL errors", () => {
  it("DATA_BAD_ROW: a token line with another number of columns than the first", async () => {
    const path = conll("-DOCSTART- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nGerman B-MISC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_ROW",
        path,
        6,
        /^line 6 has 2 columns; the file's first token line \(line 3\) has 4$/,
      ),
    );
  });

  it("DATA_BAD_ROW: a file whose token lines have one column", async () => {
    const path = conll("\nEU\nrejects\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_ROW", path, 2, /line 2 has 1 column/),
    );
  });

  it("OPTION_INVALID: tagColumn beyond the columns of the file", async () => {
    const path = conll("EU NNP B-ORG\n");
    await assert.rejects(
      loadTaggedDataset(path, { tagColumn: 3 }),
      isCodedError(
        "OPTION_INVALID",
        path,
        1,
        /--tag-column \(tagColumn\) is 3, but line 1, the first token line, has 3 columns/,
      ),
    );
  });

  it("DATA_BAD_TAG: a tag that is not a tag, naming its line", async () => {
    const path = conll("EU B-ORG\nrejects O\n\nGerman NNP\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: 'NNP' is not a tag; .*name another with --tag-column/),
    );
  });

  it("DATA_BAD_TAG: a tag that breaks the scheme given", async () => {
    const path = conll("EU B-ORG\n\nthe O\nUnion I-ORG\n");
    await assert.rejects(
      loadTaggedDataset(path, { scheme: "bio" }),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: I-ORG follows O; in BIO an entity starts with B-ORG$/),
    );
  });

  it("DATA_BAD_TAG: a BIO file with one stray I- is still read as BIO, and the stray tag is named", async () => {
    const path = conll("EU B-ORG\nrejects O\n\nthe O\nUnion I-ORG\n\nBonn B-LOC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_TAG",
        path,
        5,
        /^line 5: I-ORG follows O; in BIO an entity starts with B-ORG \(the scheme was detected as BIO because most entities start with B-; pass the scheme if the file is IOB1\)$/,
      ),
    );
  });

  it("DATA_BAD_TAG: an IOB1 file with a stray B- after O names the detected scheme's evidence", async () => {
    const path = conll("EU I-ORG\nrejects O\n\nthe O\nUnion B-ORG\n\nBonn I-LOC\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError(
        "DATA_BAD_TAG",
        path,
        5,
        /^line 5: B-ORG follows O; in IOB1, .* \(the scheme was detected as IOB1 because line 1 starts an entity with I-ORG; if the file is BIO, that line is the mistake\)$/,
      ),
    );
  });

  it("DATA_BAD_TAG: a BIOES entity left open at the end of a sentence", async () => {
    const path = conll("Bob S-PER\n\nNew B-LOC\nYork I-LOC\n\nx O\n");
    await assert.rejects(
      loadTaggedDataset(path),
      isCodedError("DATA_BAD_TAG", path, 4, /^line 4: I-LOC ends the sentence; .*because line 1 has S-PER/),
    );
  });

  it("DATA_EMPTY: an empty file, or one with only blank and -DOCSTART- lines", async () => {
    for (const content of ["", "\n\n", "-DOCSTART- -X- -X- O\n\n"]) {
      const path = conll(content);
      await assert.rejects(
        loadTaggedDataset(path),
        isCodedError("DATA_EMPTY", path, undefined, /has no sentences/),
      );
    }
  });

  it("DATA_INVALID_UTF8 and DATA_FILE_NOT_FOUND from the shared line reader", async () => {
    const path = conll(Buffer.concat([Buffer.from("a O\n"), Buffer.from([0xc3, 0x28, 0x20, 0x4f, 0x0a])]));
    await assert.rejects(loadTaggedDataset(path), isCodedError("DATA_INVALID_UTF8", path, 2, /line 2/));
    const missing = `${files.path}/missing.conll`;
    await assert.rejects(
      loadTaggedDataset(missing),
      isCodedError("DATA_FILE_NOT_FOUND", missing, undefined, /./),
    );
  });
});
