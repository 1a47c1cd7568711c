import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import { isTextkitError } from "../core/index.ts";
import { addHeldOutOptions, heldOutFilesGiven } from "./held-out-options.ts";

const HELP = { train: "training data", dev: "dev data", test: "test data", split: "fractions held out" };

function parsed(args: string[]): { opts: Record<string, unknown>; splitGiven: boolean } {
  const command = addHeldOutOptions(new Command("train").exitOverride(), HELP);
  command.parse(args, { from: "user" });
  return { opts: command.opts(), splitGiven: command.getOptionValueSource("split") === "cli" };
}

describe("addHeldOutOptions", () => {
  it("takes --train, --dev and --test files, and --split fractions defaulting to 0.1,0.1", () => {
    assert.deepEqual(parsed(["--train", "t.csv"]), {
      opts: { train: "t.csv", split: { dev: 0.1, test: 0.1 } },
      splitGiven: false,
    });
    const given = parsed(["--train", "t.csv", "--split", "0.2,0"]);
    assert.deepEqual(given.opts["split"], { dev: 0.2, test: 0 });
    assert.equal(given.splitGiven, true);
    assert.equal(parsed(["--train", "t.csv", "--dev", "d.csv"]).opts["dev"], "d.csv");
  });

  it("says in the help that --dev and --test default to held-out data", () => {
    const help = addHeldOutOptions(new Command("train"), HELP).helpInformation();
    assert.match(help, /--dev <file> +dev data \(default: held out by --split\)/);
    assert.match(help, /--test <file> +test data \(default: held out by --split\)/);
  });
});

describe("heldOutFilesGiven", () => {
  it("says whether --dev or --test files are given", () => {
    assert.equal(heldOutFilesGiven({}, false, "data"), false);
    assert.equal(heldOutFilesGiven({ dev: "d.csv" }, false, "data"), true);
    assert.equal(heldOutFilesGiven({ test: "t.csv" }, false, "rows"), true);
    assert.equal(heldOutFilesGiven({}, true, "data"), false);
  });

  it("refuses files together with a typed --split", () => {
    assert.throws(
      () => heldOutFilesGiven({ test: "t.csv" }, true, "rows"),
      (e: unknown) =>
        isTextkitError(e) &&
        e.code === "OPTION_INVALID" &&
        /^--split holds dev and test rows out of --train; it cannot be combined/.test(e.message),
    );
  });
});
