/**
 * Probe of issue 15 (a model must never load wrong): trains a small model of every family
 * through the command line, damages copies of each in many ways, loads every copy with its
 * family's loader and counts what happened: refused with a coded error, loaded, or failed
 * with an uncoded error (a TypeError, or INTERNAL). The goal is every damaged copy refused.
 *
 *   node --import tsx scripts/probe-artifacts.ts [--verbose]
 *
 * Two kinds of damage. "edit": what a bad copy, a disk error or a hand edit does (bit flips
 * in the manifest's strings and numbers, reversed labels, changed options, nulls, missing
 * fields, truncated, extended, flipped or missing files); the manifest's digest or the files'
 * checksums must catch it. "resealed": content that cannot be a valid model (wrong types,
 * NaN or infinite weights, lengths that are not whole values or do not match), with every
 * checksum and the digest made to match, so that only the loaders' own checks stand between
 * it and a wrong load.
 */
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadAssistant } from "../src/apps/assist/index.ts";
import { manifestDigest } from "../src/artifact/index.ts";
import { isTextkitError } from "../src/core/errors.ts";
import { Random } from "../src/core/random.ts";
import { loadClassifier } from "../src/models/classifier/index.ts";
import { loadClusterModel } from "../src/models/cluster/index.ts";
import { loadRecommender } from "../src/models/recommender/index.ts";
import { loadRegressor } from "../src/models/regressor/index.ts";
import { loadRetrievalIndex } from "../src/models/retrieval/index.ts";
import { loadTagger } from "../src/models/tagger/index.ts";
import { writeAssistKnowledge } from "../test/support/assist-knowledge.ts";
import { runCli } from "../test/support/cli-run.ts";
import { plantedCsv, plantedData } from "../test/support/recommend-data.ts";

type Json = Record<string, unknown>;
type Outcome = "refused" | "loaded" | "uncoded";

interface Damage {
  kind: "edit" | "resealed";
  what: string;
  /** Applied to a fresh copy of the model; `dir` is the artifact folder damaged (the model or one of its parts). */
  apply(dir: string): void;
}

const verbose = process.argv.includes("--verbose");
const work = mkdtempSync(join(tmpdir(), "textkit-probe-"));
const rng = new Random(15);

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function readManifest(dir: string): Json {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Json;
}

function writeManifest(dir: string, manifest: Json, reseal: boolean): void {
  if (reseal) {
    delete manifest["digest"];
    manifest["digest"] = manifestDigest(manifest);
  }
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Writes `data` as file `name` of the artifact in `dir`, and records its size and checksum in a re-sealed manifest. */
function resealFile(dir: string, name: string, data: Uint8Array): void {
  writeFileSync(join(dir, name), data);
  const manifest = readManifest(dir);
  const files = manifest["files"] as Record<string, { bytes: number; sha256: string }>;
  files[name] = { bytes: data.byteLength, sha256: sha256(data) };
  writeManifest(dir, manifest, true);
}

function editManifest(change: (m: Json) => void, reseal: boolean): (dir: string) => void {
  return (dir) => {
    const manifest = readManifest(dir);
    change(manifest);
    writeManifest(dir, manifest, reseal);
  };
}

/** Positions (byte offsets) inside the manifest's string literals and numbers. */
function valuePositions(text: Buffer): number[] {
  const s = text.toString("latin1");
  const out: number[] = [];
  for (const m of s.matchAll(/"((?:[^"\\]|\\.)*)"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
    const start = m.index + (m[0].startsWith('"') ? 1 : 0);
    const end = m.index + m[0].length - (m[0].startsWith('"') ? 1 : 0);
    for (let i = start; i < end; i++) out.push(i);
  }
  return out;
}

function damagesOf(dir: string, label: string, flips: number): Damage[] {
  const manifest = readManifest(dir);
  const out: Damage[] = [];
  const add = (kind: Damage["kind"], what: string, apply: (d: string) => void): void => {
    out.push({ kind, what: `${label}: ${what}`, apply });
  };
  // One-bit flips in the manifest's strings and numbers (keys, labels, options, checksums).
  const text = readFileSync(join(dir, "manifest.json"));
  const positions = valuePositions(text);
  for (let i = 0; i < flips; i++) {
    const at = positions[rng.int(positions.length)]!;
    const bit = rng.int(8);
    const shown = JSON.stringify(text.toString("latin1", Math.max(0, at - 12), at + 12));
    add("edit", `bit ${bit} flipped at byte ${at} (${shown})`, (d) => {
      const bytes = readFileSync(join(d, "manifest.json"));
      bytes[at] = bytes[at]! ^ (1 << bit);
      writeFileSync(join(d, "manifest.json"), bytes);
    });
  }
  const labels = manifest["labels"];
  if (Array.isArray(labels) && labels.length >= 2) {
    add(
      "edit",
      "labels reversed",
      editManifest((m) => (m["labels"] = [...(m["labels"] as string[])].reverse()), false),
    );
    add(
      "edit",
      "two labels swapped",
      editManifest((m) => {
        const l = [...(m["labels"] as string[])];
        [l[0], l[1]] = [l[1]!, l[0]!];
        m["labels"] = l;
      }, false),
    );
    add(
      "resealed",
      "a label named twice",
      editManifest((m) => {
        const l = [...(m["labels"] as string[])];
        l[1] = l[0]!;
        m["labels"] = l;
      }, true),
    );
    add(
      "resealed",
      "an empty label",
      editManifest((m) => (m["labels"] = ["", ...(m["labels"] as string[]).slice(1)]), true),
    );
  }
  // Changed options: each number +1, each string changed, each boolean negated; null and wrong types resealed.
  const options = manifest["options"];
  if (options !== null && typeof options === "object") {
    for (const [key, value] of Object.entries(options as Json)) {
      const changed =
        typeof value === "number"
          ? value + 1
          : typeof value === "string"
            ? `${value}x`
            : typeof value === "boolean"
              ? !value
              : null;
      if (changed !== null) {
        add(
          "edit",
          `option ${key} changed to ${JSON.stringify(changed)}`,
          editManifest((m) => ((m["options"] as Json)[key] = changed), false),
        );
      }
      if (
        typeof value === "number" ||
        typeof value === "boolean" ||
        (typeof value === "string" && key !== "name")
      ) {
        add(
          "resealed",
          `option ${key} set to null`,
          editManifest((m) => ((m["options"] as Json)[key] = null), true),
        );
        const wrong = typeof value === "string" ? 7 : "seven";
        add(
          "resealed",
          `option ${key} set to ${JSON.stringify(wrong)}`,
          editManifest((m) => ((m["options"] as Json)[key] = wrong), true),
        );
      }
      if (typeof value === "number") {
        add(
          "resealed",
          `option ${key} set to -1e9`,
          editManifest((m) => ((m["options"] as Json)[key] = -1e9), true),
        );
      }
    }
  }
  // Nulls and missing fields, as edits and resealed.
  for (const key of [
    "options",
    "files",
    "labels",
    "family",
    "task",
    "format",
    "formatVersion",
    "createdAt",
    "textkitVersion",
    "parts",
    "digest",
  ]) {
    if (!(key in manifest)) continue;
    add(
      "edit",
      `${key} set to null`,
      editManifest((m) => (m[key] = null), false),
    );
    add(
      "edit",
      `${key} removed`,
      editManifest((m) => delete m[key], false),
    );
    if (key !== "digest") {
      add(
        "resealed",
        `${key} set to null`,
        editManifest((m) => (m[key] = null), true),
      );
      add(
        "resealed",
        `${key} removed`,
        editManifest((m) => delete m[key], true),
      );
    }
  }
  for (const [name, entry] of Object.entries(manifest["files"] as Record<string, { bytes: number }>)) {
    add(
      "resealed",
      `files entry ${name} set to null`,
      editManifest((m) => ((m["files"] as Json)[name] = null), true),
    );
    // Without its run record (run.json) an artifact is still a valid model that predicts the
    // same (quantised models have none), so dropping that entry is no damage.
    if (name !== "run.json") {
      add(
        "resealed",
        `files entry ${name} removed`,
        editManifest((m) => delete (m["files"] as Json)[name], true),
      );
    }
    // The file itself: truncated, extended, a flipped bit, missing.
    add("edit", `${name} truncated by one byte`, (d) =>
      writeFileSync(join(d, name), readFileSync(join(d, name)).subarray(0, -1)),
    );
    add("edit", `${name} emptied`, (d) => writeFileSync(join(d, name), new Uint8Array(0)));
    add("edit", `${name} extended by 4 bytes`, (d) =>
      writeFileSync(join(d, name), Buffer.concat([readFileSync(join(d, name)), Buffer.alloc(4)])),
    );
    if (entry.bytes > 0) {
      add("edit", `${name}: one bit flipped`, (d) => {
        const bytes = readFileSync(join(d, name));
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 4;
        writeFileSync(join(d, name), bytes);
      });
    }
    add("edit", `${name} deleted`, (d) => rmSync(join(d, name)));
    const binary = /\.(f32|i32|u32|f64)$/.test(name);
    if (binary && entry.bytes >= 8) {
      add("resealed", `${name}: length not a whole number of values`, (d) =>
        resealFile(d, name, readFileSync(join(d, name)).subarray(0, -3)),
      );
      add("resealed", `${name}: one value short`, (d) =>
        resealFile(d, name, readFileSync(join(d, name)).subarray(0, name.endsWith(".f64") ? -8 : -4)),
      );
      add("resealed", `${name}: one value more`, (d) =>
        resealFile(
          d,
          name,
          Buffer.concat([readFileSync(join(d, name)), Buffer.alloc(name.endsWith(".f64") ? 8 : 4)]),
        ),
      );
    }
    if (name.endsWith(".f32") && entry.bytes >= 4) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        add("resealed", `${name}: ${bad} written into it`, (d) => {
          const bytes = readFileSync(join(d, name));
          bytes.writeFloatLE(bad, 4 * Math.floor(bytes.length / 8));
          resealFile(d, name, bytes);
        });
      }
    }
    if (name.endsWith(".f64") && entry.bytes >= 8 && !name.startsWith("item-time")) {
      add("resealed", `${name}: NaN written into it`, (d) => {
        const bytes = readFileSync(join(d, name));
        bytes.writeDoubleLE(Number.NaN, 8 * Math.floor(bytes.length / 16));
        resealFile(d, name, bytes);
      });
    }
  }
  add("edit", "manifest.json deleted", (d) => rmSync(join(d, "manifest.json")));
  add("edit", "manifest.json truncated", (d) =>
    writeFileSync(join(d, "manifest.json"), readFileSync(join(d, "manifest.json")).subarray(0, 200)),
  );
  return out;
}

/** The artifact folders of a model: itself and each part (a sub-folder with a manifest). */
function artifactDirs(root: string): string[] {
  return [
    root,
    ...readdirSync(root)
      .map((name) => join(root, name))
      .filter((p) => statSync(p).isDirectory() && existsSync(join(p, "manifest.json"))),
  ];
}

async function cli(args: string[]): Promise<void> {
  const r = await runCli([...args]);
  if (r.code !== 0) throw new Error(`textkit ${args.join(" ")} failed:\n${r.stderr}`);
}

async function trainAll(): Promise<Record<string, { dir: string; load: (dir: string) => Promise<unknown> }>> {
  const data = join(work, "data");
  const models = join(work, "models");
  const m = (name: string) => join(models, name);
  cpSync("samples/intents/train.csv", join(work, "intents.csv"));
  const fast = ["--epochs", "3", "--dim", "8", "--buckets", "2000", "--minn", "2", "--maxn", "3", "--quiet"];
  await cli(["classify", "train", "--train", join(work, "intents.csv"), "--out", m("classifier"), ...fast]);
  await cli([
    "classify",
    "quantize",
    "--model",
    m("classifier"),
    "--out",
    m("quantized"),
    "--cutoff",
    "200",
    "--quiet",
  ]);
  await cli([
    "tag",
    "train",
    "--train",
    "samples/ner-en/dev.conll",
    "--epochs",
    "2",
    "--out",
    m("tagger"),
    "--quiet",
  ]);
  await cli([
    "regress",
    "train",
    "--train",
    "test/fixtures/regression/houses.csv",
    "--target",
    "price",
    "--out",
    m("regressor"),
    "--quiet",
  ]);
  writeFileSync(
    join(work, "texts.txt"),
    Array.from(
      { length: 60 },
      (_, i) =>
        `${["the match and the goal of the team", "rain and wind and a storm", "the bank and the loan rate"][
          i % 3
        ]!} ${i}`,
    ).join("\n"),
  );
  await cli(["cluster", "--input", join(work, "texts.txt"), "--k", "3", "--out", m("cluster"), "--quiet"]);
  const planted = plantedCsv(plantedData());
  writeFileSync(join(work, "items.csv"), planted.items);
  writeFileSync(join(work, "events.csv"), planted.events);
  await cli([
    "recommend",
    "train",
    "--items",
    join(work, "items.csv"),
    "--events",
    join(work, "events.csv"),
    "--model",
    "als",
    "--factors",
    "4",
    "--iterations",
    "4",
    "--out",
    m("recommender"),
    "--quiet",
  ]);
  const knowledge = writeAssistKnowledge(join(data, "assist"));
  await cli(["search", "build", "--input", join(knowledge, "docs"), "--out", m("retrieval"), "--quiet"]);
  await cli(["assist", "train", "--knowledge", knowledge, "--out", m("assistant"), "--quiet"]);
  return {
    classifier: { dir: m("classifier"), load: loadClassifier },
    quantized: { dir: m("quantized"), load: loadClassifier },
    tagger: { dir: m("tagger"), load: loadTagger },
    regressor: { dir: m("regressor"), load: loadRegressor },
    cluster: { dir: m("cluster"), load: loadClusterModel },
    recommender: { dir: m("recommender"), load: loadRecommender },
    retrieval: { dir: m("retrieval"), load: (d) => loadRetrievalIndex(d) },
    assistant: { dir: m("assistant"), load: loadAssistant },
  };
}

async function outcomeOf(load: (dir: string) => Promise<unknown>, dir: string): Promise<[Outcome, string]> {
  try {
    await load(dir);
    return ["loaded", ""];
  } catch (error) {
    if (isTextkitError(error) && error.code !== "INTERNAL") return ["refused", error.code];
    return ["uncoded", error instanceof Error ? `${error.name}: ${error.message}` : String(error)];
  }
}

const counts: Record<string, Record<Outcome, number>> = {};
const notable: string[] = [];
try {
  const models = await trainAll();
  for (const [family, { dir, load }] of Object.entries(models)) {
    const [pristine, why] = await outcomeOf(load, dir);
    if (pristine !== "loaded") throw new Error(`the undamaged ${family} model does not load: ${why}`);
    for (const target of artifactDirs(dir)) {
      const part = relative(dir, target);
      for (const damage of damagesOf(
        target,
        part === "" ? family : `${family}/${part}`,
        part === "" ? 30 : 8,
      )) {
        const copy = join(work, "case");
        rmSync(copy, { recursive: true, force: true });
        cpSync(dir, copy, { recursive: true });
        damage.apply(join(copy, part));
        const [outcome, detail] = await outcomeOf(load, copy);
        const key = `${damage.kind}`;
        counts[key] ??= { refused: 0, loaded: 0, uncoded: 0 };
        counts[key][outcome]++;
        if (outcome !== "refused" || verbose)
          notable.push(
            `${outcome.padEnd(7)} ${damage.kind.padEnd(8)} ${damage.what}${detail === "" ? "" : ` -> ${detail}`}`,
          );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const line of notable) console.log(line);
let total = { refused: 0, loaded: 0, uncoded: 0 };
for (const [kind, c] of Object.entries(counts)) {
  console.log(
    `${kind.padEnd(9)} refused with a code ${c.refused}, loaded ${c.loaded}, uncoded error ${c.uncoded}`,
  );
  total = {
    refused: total.refused + c.refused,
    loaded: total.loaded + c.loaded,
    uncoded: total.uncoded + c.uncoded,
  };
}
console.log(
  `all       refused with a code ${total.refused}, loaded ${total.loaded}, uncoded error ${total.uncoded}`,
);
process.exitCode = total.loaded + total.uncoded === 0 ? 0 : 1;
