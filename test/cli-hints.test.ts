/**
 * What the CLI says when the input is wrong (issue 15 item 18): each message and hint names
 * the flag a person would pass (never a library option name such as textColumn or
 * minCount), the file's path is said once, and a port in use stops `serve` and
 * `demo --serve` before any model is loaded or trained.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const scratch = scratchFiles("cli-hints");

/** stderr's `error:` and `hint:` lines; the command must have failed with exit code 1. */
function refusal(result: { code: number; stderr: string }, code: string): { error: string; hint: string } {
  assert.equal(result.code, 1, result.stderr);
  const error = /^error: (.*)$/m.exec(result.stderr)?.[1] ?? "";
  const hint = /^hint: (.*)$/m.exec(result.stderr)?.[1] ?? "";
  assert.match(error, new RegExp(`\\[${code}\\]$`), result.stderr);
  return { error, hint };
}

/** No camelCase option name of the library in what a person reads. */
function assertNoOptionNames(text: string): void {
  assert.doesNotMatch(text, /\b(textColumn|labelColumn|minCount|minDf)\b|pass dim\b/, text);
}

describe("hints name the command line's flags", () => {
  it("a text column the file lacks: --text-column, in the message and the hint", async () => {
    const data = scratch.write(".csv", "text,label\ngood,pos\nbad,neg\n");
    const r = refusal(
      await runCli([
        "classify",
        "train",
        "--train",
        data,
        "--text-column",
        "body",
        "--out",
        join(scratch.path, "m"),
      ]),
      "DATA_MISSING_COLUMN",
    );
    assert.match(r.error, /choose one with --text-column/);
    assert.match(r.hint, /--text-column/);
    assertNoOptionNames(`${r.error}\n${r.hint}`);
  });

  it("regress: a target the table lacks points to --target, not the text flags", async () => {
    const table = scratch.write(".csv", "area,rooms\n50,2\n70,3\n90,4\n");
    const r = refusal(
      await runCli([
        "regress",
        "train",
        "--train",
        table,
        "--target",
        "price",
        "--out",
        join(scratch.path, "r"),
      ]),
      "DATA_MISSING_COLUMN",
    );
    assert.match(r.hint, /--target/);
    assert.doesNotMatch(r.hint, /--text-column|--label-column/);
  });

  it("forecast: a time column the table lacks points to --time-column and --value-column", async () => {
    const table = scratch.write(".csv", "day,count\n2024-01-01,3\n2024-01-02,4\n");
    const r = refusal(
      await runCli(["forecast", "--input", table, "--time-column", "date", "--value-column", "count"]),
      "DATA_MISSING_COLUMN",
    );
    assert.match(r.hint, /--time-column and --value-column/);
    assert.doesNotMatch(r.hint, /--text-column|--label-column/);
  });

  it("cluster: no term left points to --min-df, not minCount", async () => {
    const texts = scratch.write(".txt", "the cat sat\na dog ran\nbirds fly high\n");
    const r = refusal(
      await runCli(["cluster", "--input", texts, "--k", "2", "--min-df", "3"]),
      "DATA_TOO_FEW_WORDS",
    );
    assert.match(r.hint, /--min-df/);
    assertNoOptionNames(r.hint.replace(/\(option minDf\)/, ""));
  });

  it("vectors of another size than --dim: 'pass --dim N'", async () => {
    const data = scratch.write(
      ".csv",
      "text,label\ngood film,pos\nbad film,neg\ngreat film,pos\nawful film,neg\n",
    );
    const vec = scratch.write(".vec", "2 3\ngood 0.1 0.2 0.3\nbad 0.3 0.2 0.1\n");
    const r = refusal(
      await runCli([
        "classify",
        "train",
        "--train",
        data,
        "--pretrained-vectors",
        vec,
        "--dim",
        "8",
        "--split",
        "0,0",
        "--out",
        join(scratch.path, "v"),
      ]),
      "OPTION_INVALID",
    );
    assert.match(r.error, /pass --dim 3\b/);
  });

  it("a value the model's own check refuses: the hint names the flag that set it", async () => {
    const texts = scratch.write(".txt", "the cat sat\na dog ran\nbirds fly high\n");
    const r = refusal(
      await runCli(["cluster", "--input", texts, "--k", "2", "--n-init", "5000"]),
      "OPTION_INVALID",
    );
    assert.match(r.error, /nInit must be an integer from 1 to 1000, got 5000/);
    assert.match(r.hint, /^nInit is set by --n-init\. /);
  });

  it("a file that does not exist is named once", async () => {
    const missing = join(scratch.path, "nope.csv");
    const r = refusal(
      await runCli(["classify", "train", "--train", missing, "--out", join(scratch.path, "n")]),
      "DATA_FILE_NOT_FOUND",
    );
    assert.equal(r.error.split("nope.csv").length - 1, 1, r.error);
  });
});

describe("a port in use", () => {
  let holder: Server;
  let port = 0;
  before(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const address = holder.address();
    port = address !== null && typeof address === "object" ? address.port : 0;
  });
  after(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it("stops serve with PORT_IN_USE before the models directory is read, naming --port", async () => {
    const r = refusal(
      await runCli(["serve", "--models", join(scratch.path, "no-models-here"), "--port", String(port)]),
      "PORT_IN_USE",
    );
    assert.match(r.error, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    assert.match(r.hint, /--port/);
  });

  it("stops demo --serve before it trains anything", async () => {
    const out = join(scratch.path, "demo");
    const r = refusal(
      await runCli(["demo", "--serve", "--port", String(port), "--only", "intents", "--out", out, "--quiet"]),
      "PORT_IN_USE",
    );
    assert.match(r.hint, /--port/);
    assert.equal(existsSync(join(out, "models", "intents")), false, "no model trained");
  });
});
