import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { type AutotuneOptions, type AutotuneTrial, autotuneClassifier } from "./autotune.ts";
import { trainClassifier } from "./ngram-training.ts";
import { resolveClassifierOptions } from "./options.ts";

/** Four topics over a shared vocabulary: which words co-occur matters, so settings matter. */
function topics(n: number, seed: number, multiLabel = false): Dataset {
  const rng = new Random(seed);
  const labels = ["alpha", "beta", "gamma", "delta"];
  const vocab = labels.map((l) => Array.from({ length: 12 }, (_, i) => `${l}${i}`));
  const filler = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const examples = [];
  for (let i = 0; i < n; i++) {
    const k = i % labels.length;
    const words: string[] = [];
    for (let j = 0; j < 7; j++) {
      const r = rng.next();
      if (r < 0.25) words.push(vocab[k]![rng.int(12)]!);
      else if (r < 0.35) words.push(vocab[rng.int(labels.length)]![rng.int(12)]!);
      else words.push(filler[rng.int(filler.length)]!);
    }
    const own = multiLabel && rng.next() < 0.3 ? [labels[k]!, labels[(k + 1) % 4]!] : [labels[k]!];
    if (own.length === 2) words.push(vocab[(k + 1) % 4]![rng.int(12)]!);
    examples.push({ text: words.join(" "), labels: own, line: i + 1 });
  }
  return { source: `topics-${seed}`, examples, labels: [...labels].sort(), multiLabel };
}

const train = topics(400, 1);
const dev = topics(200, 2);
/** Small settings keep the trials quick; the search moves away from them. */
const base = { dim: 16, epochs: 5, buckets: 20_000 };

function withoutSeconds(trials: AutotuneTrial[]): unknown[] {
  return trials.map(({ seconds: _, ...rest }) => rest);
}

describe("autotuneClassifier", () => {
  it("finds options at least as good as the starting ones, recording every trial", async () => {
    const seen: [AutotuneTrial, AutotuneTrial][] = [];
    const result = await autotuneClassifier(
      { train, dev },
      { maxTrials: 6, seed: 3, base },
      { onTrial: (t, best) => seen.push([t, best]) },
    );
    assert.deepEqual(
      result.trials.map((t) => t.trial),
      [1, 2, 3, 4, 5, 6],
    );
    assert.equal(seen.length, 6);
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]![1].metric >= seen[i - 1]![1].metric, "the best so far never gets worse");

    // The first trial is the starting point, trained as trainClassifier would train it.
    const start = resolveClassifierOptions(base);
    const reference = await trainClassifier({ train }, start);
    const referenceAccuracy = reference.evaluate(dev).accuracy;
    assert.equal(result.trials[0]!.metric, referenceAccuracy);
    assert.equal(result.trials[0]!.options.dim, 16);
    assert.ok(result.bestMetric >= referenceAccuracy);
    assert.equal(result.bestMetric, Math.max(...result.trials.map((t) => t.metric)));

    // The model returned is the best trial's, with options to match.
    assert.equal(result.best.evaluate(dev).accuracy, result.bestMetric);
    assert.deepEqual(result.best.options, result.bestOptions);
    const bestTrial = result.trials.find((t) => t.metric === result.bestMetric)!;
    for (const [key, value] of Object.entries(bestTrial.options))
      assert.equal(result.bestOptions[key as keyof typeof result.bestOptions], value, key);
    assert.equal(result.bestOptions.loss, "softmax");
    // Later trials explore: not every one repeats the starting options.
    assert.ok(result.trials.some((t) => t.options.lr !== start.lr || t.options.dim !== start.dim));
  });

  it("is deterministic for a seed and a number of trials", async () => {
    const options: AutotuneOptions = { maxTrials: 4, seed: 11, base };
    const a = await autotuneClassifier({ train, dev }, options);
    const b = await autotuneClassifier({ train, dev }, options);
    assert.deepEqual(withoutSeconds(a.trials), withoutSeconds(b.trials));
    const c = await autotuneClassifier({ train, dev }, { ...options, seed: 12 });
    assert.notDeepEqual(
      a.trials.slice(1).map((t) => t.options),
      c.trials.slice(1).map((t) => t.options),
    );
  });

  it("keeps to a time budget", async () => {
    const started = performance.now();
    const result = await autotuneClassifier({ train, dev }, { durationSeconds: 2, seed: 5, base });
    const seconds = (performance.now() - started) / 1000;
    const longest = Math.max(...result.trials.map((t) => t.seconds));
    assert.ok(seconds <= 2 + longest + 0.5, `took ${seconds} s`);
    assert.ok(result.trials.length >= 2, "several quick trials fit in 2 s");
  });

  it("draws a cheaper trial when the next one would not fit the time left, and so uses nearly all of it", async () => {
    // A clock that moves only with the search's own work: every reading is 0.5 s later, so a
    // trial's time grows with its epochs (trainClassifier checks shouldStop each epoch) and
    // the run is the same every time. With this seed the second draw is predicted too slow
    // for the 37 s left: the search used to end there, at 23 s of 60.
    let now = 0;
    const clock = () => (now += 0.5);
    const duration = 60;
    const result = await autotuneClassifier(
      { train, dev },
      { durationSeconds: duration, seed: 3, base: { ...base, epochs: 20 }, clock },
    );
    assert.ok(now >= 0.9 * duration, `the search ended at ${now.toFixed(1)} s of ${duration} s`);
    assert.ok(result.trials.length >= 3, `${result.trials.length} trials`);
    const finished = result.trials.filter((t) => t.stopped !== true);
    assert.ok(finished.length >= result.trials.length - 1, "at most the last trial runs into the deadline");
  });

  it("stops a trial that runs past the deadline, and a stopped trial is never the best unless alone", async () => {
    const big = topics(4000, 4);
    const started = performance.now();
    const result = await autotuneClassifier(
      { train: big, dev },
      { durationSeconds: 0.3, base: { dim: 200, epochs: 100, buckets: 20_000 } },
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.trials.length, 1);
    assert.equal(result.trials[0]!.stopped, true);
    assert.ok(result.best.runRecord!.epochs.length < 100);
    assert.ok(seconds < 3, `took ${seconds} s`);
  });

  it("scores with macro F1 when asked, and uses one-vs-all with micro F1 on multi-label data", async () => {
    const macro = await autotuneClassifier({ train, dev }, { maxTrials: 2, metric: "macroF1", base });
    assert.equal(macro.bestMetric, macro.best.evaluate(dev).report.macro.f1);

    const multi = await autotuneClassifier(
      { train: topics(300, 5, true), dev: topics(100, 6, true) },
      { maxTrials: 2, base },
    );
    assert.equal(multi.bestOptions.loss, "ova");
    assert.equal(multi.bestMetric, multi.best.evaluate(topics(100, 6, true)).report.micro!.f1);
  });

  it("refuses bad options with OPTION_INVALID and an empty dev set with DATA_EMPTY", async () => {
    const cases: [AutotuneOptions, RegExp][] = [
      [{ durationSeconds: 0 }, /durationSeconds must be a positive number of seconds, got 0/],
      [{ durationSeconds: Number.NaN }, /durationSeconds .* got NaN/],
      [{ maxTrials: 0 }, /maxTrials must be a whole number of at least 1, got 0/],
      [{ maxTrials: 2.5 }, /maxTrials .* got 2.5/],
      [{ maxTrials: 1, seed: -1 }, /seed must be an integer/],
      [
        JSON.parse('{"maxTrials": 1, "metric": "f1"}') as AutotuneOptions,
        /metric must be one of accuracy, macroF1, microF1, got 'f1'/,
      ],
      [{ maxTrials: 1, base: { dim: 0 } }, /dim must be an integer from 1/],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(
        autotuneClassifier({ train, dev }, options),
        (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID" && message.test(e.message),
        JSON.stringify(options),
      );
    }
    const empty: Dataset = { source: "dev.csv", examples: [], labels: [], multiLabel: false };
    await assert.rejects(
      autotuneClassifier({ train, dev: empty }, { maxTrials: 1 }),
      (e: unknown) =>
        e instanceof TextkitError &&
        e.code === "DATA_EMPTY" &&
        e.file === "dev.csv" &&
        /dev.csv/.test(e.message),
    );
  });
});
