/**
 * Reruns the probe of issue 15 over every reader of a data file: many fuzzed inputs
 * (mutations of a valid file of each format, plus pathological shapes), counted as
 * accepted / refused with a coded error / failed with an uncoded error, then the time per
 * MB of a long line and of blank lines at 1, 8 and 50 MB. The readers, mutations and
 * shapes are those of test/fuzz-readers.test.ts, which runs a bounded number in CI.
 *
 *   node --import tsx scripts/probe-readers.ts [--inputs 100000] [--sizes 1,8,50] [--seed 15] [--only CSV]
 *
 * Inputs that fail uncoded are kept under the printed directory to reproduce them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { Random } from "../src/core/random.ts";
import {
  type FuzzReader,
  FuzzScratch,
  mutationArbitrary,
  outcomeOf,
  READERS,
  SHAPE_NAMES,
  SHAPES,
  type ShapeName,
} from "../test/support/reader-fuzz.ts";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
}

const INPUTS = Number(option("inputs", "100000"));
const SIZES_MB = option("sizes", "1,8,50").split(",").map(Number);
const SEED = Number(option("seed", "15"));
const ONLY = option("only", "");
/** Share of the inputs that are pathological shapes rather than mutations. */
const SHAPE_SHARE = 0.1;
const SHAPE_BYTES = [16, 256, 4096, 65_536];
const BATCH = 250;

const readers = READERS.filter((r) => ONLY === "" || r.name.includes(ONLY));
const scratch = new FuzzScratch();
const kept = join(scratch.root, "..", `textkit-probe-uncoded-${process.pid}`);

interface Tally {
  accepted: number;
  coded: number;
  uncoded: number;
  codes: Map<string, number>;
  examples: string[];
}

/** Writes `content` to the reader's one input path (reused, so the probe makes no directory per input). */
function writeInput(paths: Map<FuzzReader, string>, reader: FuzzReader, content: Buffer | string): string {
  let path = paths.get(reader);
  if (path === undefined) {
    path = scratch.write(reader, content);
    paths.set(reader, path);
  } else {
    writeFileSync(path, content);
  }
  return path;
}

async function fuzz(): Promise<void> {
  const paths = new Map<FuzzReader, string>();
  const random = new Random(SEED);
  const perReader = Math.ceil(INPUTS / readers.length);
  const totals: Tally = { accepted: 0, coded: 0, uncoded: 0, codes: new Map(), examples: [] };
  const started = performance.now();
  console.log(`fuzz: ${perReader} inputs for each of ${readers.length} readers, seed ${SEED}`);
  for (const [r, reader] of readers.entries()) {
    const tally: Tally = { accepted: 0, coded: 0, uncoded: 0, codes: new Map(), examples: [] };
    const mutations = mutationArbitrary(reader.valid);
    for (let done = 0; done < perReader; done += BATCH) {
      const count = Math.min(BATCH, perReader - done);
      const inputs: (Buffer | string)[] = fc.sample(mutations, {
        seed: SEED * 1000 + r * 100_000 + done,
        numRuns: count,
      });
      for (let i = 0; i < inputs.length; i++) {
        if (random.next() < SHAPE_SHARE) {
          const shape = SHAPE_NAMES[random.int(SHAPE_NAMES.length)]!;
          inputs[i] = SHAPES[shape](SHAPE_BYTES[random.int(SHAPE_BYTES.length)]!, reader);
        }
      }
      for (const [i, input] of inputs.entries()) {
        const path = writeInput(paths, reader, input);
        const outcome = await outcomeOf(reader, path);
        if (outcome.kind === "accepted") tally.accepted++;
        else if (outcome.kind === "coded") {
          tally.coded++;
          tally.codes.set(outcome.code, (tally.codes.get(outcome.code) ?? 0) + 1);
        } else {
          tally.uncoded++;
          if (tally.examples.length < 3) {
            const error = outcome.error;
            const name = `${reader.name.replaceAll(" ", "-")}-${done + i}`;
            mkdirSync(kept, { recursive: true });
            writeFileSync(join(kept, name), input);
            tally.examples.push(
              `${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(
                0,
                240,
              ),
            );
          }
        }
      }
    }
    const codes = [...tally.codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`);
    console.log(
      `  ${reader.name.padEnd(24)} accepted ${String(tally.accepted).padStart(5)}  coded ${String(tally.coded).padStart(5)}  uncoded ${tally.uncoded}   (${codes.slice(0, 4).join(", ")})`,
    );
    for (const example of tally.examples) console.log(`      ${example}`);
    totals.accepted += tally.accepted;
    totals.coded += tally.coded;
    totals.uncoded += tally.uncoded;
  }
  const all = totals.accepted + totals.coded + totals.uncoded;
  console.log(
    `fuzz total: ${all} inputs, accepted ${totals.accepted}, coded error ${totals.coded}, uncoded error ${totals.uncoded} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  if (totals.uncoded > 0) console.log(`uncoded inputs kept in ${kept}`);
}

async function timing(): Promise<void> {
  const shapes: ShapeName[] = ["longLine", "blankLines"];
  console.log(
    `timing: ${shapes.join(", ")} at ${SIZES_MB.join(", ")} MB (processor ms per MB; wall ms in brackets)`,
  );
  const slowest = new Map<string, { perMb: number; reader: string }>();
  const paths = new Map<FuzzReader, string>();
  for (const reader of readers) {
    for (const shape of shapes) {
      const cells: string[] = [];
      for (const mb of SIZES_MB) {
        const content = SHAPES[shape](mb * 1_000_000, reader);
        const path = writeInput(paths, reader, content);
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const outcome = await outcomeOf(reader, path);
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000;
        const wallMs = performance.now() - wall;
        const perMb = cpuMs / mb;
        const key = `${shape} ${mb} MB`;
        if ((slowest.get(key)?.perMb ?? -1) < perMb) slowest.set(key, { perMb, reader: reader.name });
        const result = outcome.kind === "coded" ? outcome.code : outcome.kind;
        cells.push(`${mb} MB ${perMb.toFixed(1)} (${(wallMs / mb).toFixed(0)}) ${result}`);
      }
      console.log(`  ${reader.name.padEnd(24)} ${shape.padEnd(10)} ${cells.join(" | ")}`);
    }
  }
  console.log("slowest processor time per MB:");
  for (const [key, { perMb, reader }] of slowest)
    console.log(`  ${key.padEnd(18)} ${perMb.toFixed(1)} ms/MB (${reader})`);
}

try {
  if (INPUTS > 0) await fuzz();
  if (SIZES_MB.length > 0 && SIZES_MB[0]! > 0) await timing();
} finally {
  scratch.remove();
}
