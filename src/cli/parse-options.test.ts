import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import { TextkitError } from "../core/index.ts";
import { textInputFormat } from "./data-options.ts";
import { defaultedOption, parseChoice, parseInteger, parseNumber, parseSplit } from "./parse-options.ts";

function refuses(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TextkitError);
    assert.equal(error.code, "OPTION_INVALID");
    assert.match(error.message, message);
    return true;
  });
}

describe("parseInteger", () => {
  it("reads whole numbers in plain decimal", () => {
    assert.equal(parseInteger("--epochs", 1)("12"), 12);
    assert.equal(parseInteger("--epochs", 1)(" 7 "), 7);
    assert.equal(parseInteger("--seed")("-3"), -3);
  });

  it("refuses text, fractions, other notations and values below the minimum, naming the flag", () => {
    const parse = parseInteger("--epochs", 1);
    refuses(() => parse("abc"), /^--epochs must be a whole number >= 1, got 'abc'$/);
    refuses(() => parse("2.5"), /--epochs .* got '2.5'/);
    refuses(() => parse("1e3"), /got '1e3'/);
    refuses(() => parse("0x10"), /got '0x10'/);
    refuses(() => parse(""), /got ''/);
    refuses(() => parse("0"), /got '0'/);
    refuses(() => parse("99999999999999999999"), /got '99999999999999999999'/);
  });
});

describe("parseNumber", () => {
  it("reads decimals and exponents", () => {
    assert.equal(parseNumber("--lr", 0, true)("0.05"), 0.05);
    assert.equal(parseNumber("--lr", 0, true)(".5"), 0.5);
    assert.equal(parseNumber("--sample", 0)("1e-4"), 1e-4);
    assert.equal(parseNumber("--sample", 0)("0"), 0);
  });

  it("refuses what is not a finite number in range", () => {
    refuses(() => parseNumber("--lr", 0, true)("0"), /^--lr must be a number > 0, got '0'$/);
    refuses(() => parseNumber("--lr", 0, true)("fast"), /got 'fast'/);
    refuses(() => parseNumber("--lr")("Infinity"), /got 'Infinity'/);
    refuses(() => parseNumber("--threshold", 0)("-0.5"), /--threshold must be a number >= 0/);
  });
});

describe("parseChoice", () => {
  it("takes one of the names and lists them when refusing", () => {
    const parse = parseChoice("--loss", ["softmax", "ova"] as const);
    assert.equal(parse("ova"), "ova");
    refuses(() => parse("hinge"), /^--loss must be one of softmax, ova, got 'hinge'$/);
    refuses(() => parse("OVA"), /got 'OVA'/);
  });
});

describe("parseSplit", () => {
  it("reads DEV,TEST and DEV alone", () => {
    assert.deepEqual(parseSplit("0.1,0.2"), { dev: 0.1, test: 0.2 });
    assert.deepEqual(parseSplit("0.25"), { dev: 0.25, test: 0 });
    assert.deepEqual(parseSplit("0, 0"), { dev: 0, test: 0 });
  });

  it("refuses fractions that leave nothing to train on or are not fractions", () => {
    for (const bad of ["0.6,0.5", "0.5,0.5", "1", "-0.1,0.1", "a,b", "0.1,0.1,0.1", ""]) {
      refuses(() => parseSplit(bad), /^--split must be/);
    }
  });
});

describe("textInputFormat", () => {
  it("reads tables by extension and anything else as plain text", () => {
    assert.equal(textInputFormat("a.CSV", undefined), "csv");
    assert.equal(textInputFormat("a.tsv", undefined), "tsv");
    assert.equal(textInputFormat("a.ndjson", undefined), "jsonl");
    // .txt is fastText for labelled data but one text per line for input to label
    assert.equal(textInputFormat("a.txt", undefined), "text");
    assert.equal(textInputFormat("", undefined), "text");
    assert.equal(textInputFormat("a.txt", "fasttext"), "fasttext");
  });
});

describe("defaultedOption", () => {
  it("parses a given value, falls back to the default, and shows the default in the help", () => {
    const make = () =>
      new Command("x").addOption(defaultedOption("--dim <n>", "size", parseInteger("--dim", 1), 100));
    assert.equal(make().parse(["--dim", "8"], { from: "user" }).opts()["dim"], 8);
    assert.equal(make().parse([], { from: "user" }).opts()["dim"], 100);
    assert.match(make().helpInformation(), /--dim <n> +size \(default: 100\)/);
  });
});
