/**
 * Property-based fuzzing of every reader of a data file (issue 15 item 6): mutations of a
 * valid file of each format and pathological shapes (long lines, many blank lines, deep
 * nesting, alias bombs, bad UTF-8, BOMs, unclosed quotes) must be accepted or refused with
 * a TextkitError whose code is in the catalogue, never another exception, in time that
 * grows linearly with the input. A fixed seed and a bounded number of runs keep CI
 * repeatable; scripts/probe-readers.ts runs the same readers on far more inputs.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { manifestDigest } from "../src/artifact/index.ts";
import { ERROR_CATALOGUE, TextkitError } from "../src/core/errors.ts";
import { loadClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import { loadClusterModel, trainTextClusters } from "../src/models/cluster/index.ts";
import {
  type FuzzReader,
  FuzzScratch,
  mutationArbitrary,
  outcomeOf,
  READERS,
  SHAPE_NAMES,
  SHAPES,
} from "./support/reader-fuzz.ts";

const SEED = 15;
const RUNS = 40;

const scratch = new FuzzScratch();
after(() => scratch.remove());

async function assertCodedOrAccepted(
  reader: FuzzReader,
  content: Buffer | string,
  what: string,
): Promise<void> {
  const path = scratch.write(reader, content);
  const outcome = await outcomeOf(reader, path);
  scratch.drop(path, reader);
  if (outcome.kind === "uncoded") {
    const error = outcome.error;
    const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    assert.fail(`${reader.name}, ${what}: threw ${shown.slice(0, 300)} instead of a coded error`);
  }
}

/**
 * The least processor time of three reads of the input, in milliseconds. Processor time
 * rather than the clock: on a machine shared with other work, the clock also counts the
 * time others ran.
 */
async function fastestRead(reader: FuzzReader, content: Buffer | string): Promise<number> {
  const path = scratch.write(reader, content);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    await outcomeOf(reader, path);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  scratch.drop(path, reader);
  return best;
}

describe("every reader accepts its own valid input", () => {
  for (const reader of READERS) {
    it(reader.name, async () => {
      const path = scratch.write(reader, reader.valid);
      const outcome = await outcomeOf(reader, path);
      assert.deepEqual(outcome, { kind: "accepted" }, `${reader.name}: ${JSON.stringify(outcome)}`);
    });
  }
});

describe("fuzzed inputs are accepted or refused with a coded error", () => {
  for (const reader of READERS) {
    it(reader.name, async () => {
      await fc.assert(
        fc.asyncProperty(mutationArbitrary(reader.valid), (bytes) =>
          assertCodedOrAccepted(reader, bytes, `a mutation of its valid input (${bytes.length} bytes)`),
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  }
});

describe("pathological shapes are accepted or refused with a coded error", () => {
  for (const reader of READERS) {
    it(reader.name, async () => {
      for (const shape of SHAPE_NAMES) {
        await assertCodedOrAccepted(reader, SHAPES[shape](16 * 1024, reader), `shape ${shape}`);
      }
    });
  }
});

describe("reading time grows linearly with the input", () => {
  // 8 times the input may take at most 24 times as long: a linear reader takes about 8
  // times (less, with fixed costs), a quadratic one 64. Each time is the best of three
  // reads, which keeps a loaded machine's pauses out of the comparison.
  const SMALL = 32 * 1024;
  const FACTOR = 24;
  for (const reader of READERS) {
    it(reader.name, async () => {
      // The two shapes of the issue; scripts/probe-readers.ts times every shape up to 50 MB.
      for (const shape of ["longLine", "blankLines"] as const) {
        const small = await fastestRead(reader, SHAPES[shape](SMALL, reader));
        const large = await fastestRead(reader, SHAPES[shape](8 * SMALL, reader));
        // Under a few milliseconds, timer resolution and fixed costs decide the ratio.
        const floor = Math.max(small, 5);
        assert.ok(
          large <= FACTOR * floor,
          `${reader.name}, shape ${shape}: ${SMALL} bytes took ${small.toFixed(1)} ms of processor time, ${8 * SMALL} took ${large.toFixed(1)} ms`,
        );
      }
    });
  }
});

/** Replacements for one value of a manifest: wrong types, extremes, deep nesting. */
/**
 * Stands for an array nested 10,000 deep: JSON.parse reads one, but JSON.stringify and
 * structuredClone overflow the stack on it, so the test writes its text in place of the mark.
 */
const DEEP_MARK = "\u0000deep\u0000";
const DEEP_TEXT = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;

/** JSON text of `value`, with the deep array's text where DEEP_MARK stands. */
function jsonWithDeep(value: unknown): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(DEEP_MARK), DEEP_TEXT);
}

const ODD_VALUES: readonly unknown[] = [
  null,
  -1,
  0,
  1e308,
  Number.MAX_SAFE_INTEGER,
  "x",
  "",
  [],
  {},
  [null],
  { bytes: -1, sha256: 7 },
  DEEP_MARK,
  Array.from({ length: 1000 }, (_, i) => `label${i}`),
];

/** Every path to a value in a JSON document, parents before children. */
function pathsOf(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) pathsOf(value[i], [...prefix, i], out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  }
  return out;
}

/** `doc` with the value at `path` replaced (or, when `replacement` is undefined, removed). */
function replaced(doc: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: unknown = structuredClone(doc);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** A model family's loader, with a small model of it to alter. */
interface FuzzLoader {
  name: string;
  save(dir: string): Promise<void>;
  load(dir: string): Promise<unknown>;
}

const LOADERS: readonly FuzzLoader[] = [
  {
    name: "classifier",
    save: async (dir) => {
      const examples = [
        "good film",
        "great plot",
        "bad film",
        "awful plot",
        "fine acting",
        "poor acting",
      ].map((text, i) => ({ text, labels: [i % 2 === 0 ? "pos" : "neg"], line: i + 1 }));
      const classifier = await trainClassifier(
        { train: { source: "memory", examples, labels: ["neg", "pos"], multiLabel: false } },
        { dim: 4, epochs: 2, buckets: 1000, seed: 1 },
      );
      await classifier.save(dir);
    },
    load: (dir) => loadClassifier(dir),
  },
  {
    name: "text clusters",
    save: async (dir) => {
      const texts = [
        "rain and wind",
        "storm and rain",
        "goal and match",
        "match and team",
        "cold wind",
        "team goal",
      ];
      await (await trainTextClusters(texts, { k: 2, seed: 1 })).save(dir);
    },
    load: (dir) => loadClusterModel(dir),
  },
];

for (const loader of LOADERS) {
  describe(`the ${loader.name} loader accepts a model or refuses it with a coded error`, () => {
    const model = join(scratch.root, `${loader.name.replaceAll(" ", "-")}-model`);
    let manifestText = "";
    let weightFiles: string[] = [];
    before(async () => {
      await loader.save(model);
      manifestText = readFileSync(join(model, "manifest.json"), "utf8");
      weightFiles = readdirSync(model).filter((name) => name !== "manifest.json");
    });

    let copies = 0;
    /** Copies the model, lets `change` alter the copy, loads it and checks how the load ended. */
    async function loadChanged(what: string, change: (dir: string) => void): Promise<void> {
      const dir = join(scratch.root, `${loader.name.replaceAll(" ", "-")}-${copies++}`);
      cpSync(model, dir, { recursive: true });
      change(dir);
      try {
        await loader.load(dir);
      } catch (error) {
        if (error instanceof TextkitError && Object.hasOwn(ERROR_CATALOGUE, error.code)) return;
        const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        assert.fail(`${loader.name}, ${what}: threw ${shown.slice(0, 300)} instead of a coded error`);
      }
    }

    it("loads the model as saved", async () => {
      await loader.load(model);
    });

    // Resealed: the digest is computed again over the changed manifest, so these reach the
    // field checks of readArtifact and of the loader, not only the digest check (the deep
    // array is left unsealed: the depth check refuses it before the digest is computed).
    it("manifest values replaced by wrong types, extremes and deep nesting, resealed", async () => {
      const manifest: unknown = JSON.parse(manifestText);
      const paths = pathsOf(manifest);
      await fc.assert(
        fc.asyncProperty(fc.nat(paths.length - 1), fc.nat(ODD_VALUES.length), async (p, v) => {
          const path = paths[p]!;
          const value = v === ODD_VALUES.length ? undefined : ODD_VALUES[v];
          await loadChanged(`manifest ${path.join(".") || "(root)"} = ${v}`, (dir) => {
            const changed = replaced(manifest, path, value);
            if (
              value !== DEEP_MARK &&
              changed !== null &&
              typeof changed === "object" &&
              !Array.isArray(changed)
            ) {
              const fields: Record<string, unknown> = { ...changed };
              fields["digest"] = manifestDigest(fields);
              writeFileSync(join(dir, "manifest.json"), JSON.stringify(fields));
            } else writeFileSync(join(dir, "manifest.json"), jsonWithDeep(changed));
          });
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });

    it("manifest text mutated byte by byte", async () => {
      await fc.assert(
        fc.asyncProperty(mutationArbitrary(manifestText), async (bytes) => {
          await loadChanged("a mutated manifest", (dir) => writeFileSync(join(dir, "manifest.json"), bytes));
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });

    it("weight files truncated, extended or changed", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(weightFiles.length - 1),
          fc.oneof(fc.constant("truncate"), fc.constant("extend"), fc.constant("flip")),
          fc.double({ min: 0, max: 1, noNaN: true }),
          async (f, how, where) => {
            const name = weightFiles[f]!;
            await loadChanged(`${name} ${how} at ${where.toFixed(3)}`, (dir) => {
              const bytes = readFileSync(join(dir, name));
              const at = Math.floor(where * bytes.length);
              if (how === "truncate") writeFileSync(join(dir, name), bytes.subarray(0, at));
              else if (how === "extend")
                writeFileSync(join(dir, name), Buffer.concat([bytes, Buffer.alloc(at + 1)]));
              else if (bytes.length > 0) {
                bytes[Math.min(at, bytes.length - 1)]! ^= 0x55;
                writeFileSync(join(dir, name), bytes);
              }
            });
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  });
}
