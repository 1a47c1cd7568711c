/**
 * npm run bench:tag-encoder [-- --encoder DIR --epochs 10]
 *
 * What `tag train --encoder` costs on top of the sparse tagger (issue 12's tagger item,
 * issue 18 item 1's "what the encoder brings"): the same training data (samples/ner-en),
 * trained once on sparse features alone and once with the encoder's word vectors (first
 * piece, and the mean of the pieces), in one process, one thread each. Columns: the
 * encoder's time for train + dev + test sentences measured alone, training time (trainTagger
 * whole: its own encoding of train + dev, epochs, calibration), tagging speed on the test
 * set (the encoder included), and the ratios to the sparse tagger's.
 *
 * The default encoder is the test fixture (test/fixtures/encoders/bert-wordpiece, 2 layers,
 * 32 hidden) and --encoder takes any other folder (e.g. bench:encoder's MiniLM-shaped
 * bench/.cache/encoder/minilm-l6). Their weights are random, so the F1 column says nothing
 * about what a pretrained encoder brings to accuracy, and the table claims nothing about it:
 * it measures the mechanism's time. No pretrained weights can be downloaded on this machine.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadTaggedDataset } from "../src/data/index.ts";
import { loadEncoder } from "../src/models/encoder/index.ts";
import { type SequenceTagger, trainTagger } from "../src/models/tagger/index.ts";
import { fmt, machine, markdownTable, numberArgument, ROOT, stringArgument, writeResult } from "./common.ts";

interface Row {
  system: string;
  encodeSeconds: number;
  trainSeconds: number;
  tokensPerSecond: number;
  f1: number;
}

async function main(): Promise<void> {
  const epochs = numberArgument("--epochs", 10);
  const encoderDir = stringArgument(
    "--encoder",
    join(ROOT, "test", "fixtures", "encoders", "bert-wordpiece"),
  );
  const data = join(ROOT, "samples", "ner-en");
  const train = await loadTaggedDataset(join(data, "train.conll"));
  const dev = await loadTaggedDataset(join(data, "dev.conll"));
  const test = await loadTaggedDataset(join(data, "test.conll"));
  const testTokens = test.sentences.reduce((n, s) => n + s.tokens.length, 0);
  const encoder = await loadEncoder(encoderDir, { threads: 1 });
  const table: Row[] = [];
  const load = loadavg()[0] ?? 0;
  const measure = async (system: string, mode: "first" | "mean" | null) => {
    let encodeSeconds = 0;
    if (mode !== null) {
      const t0 = performance.now();
      for (const set of [train, dev, test]) {
        await encoder.embedWords(
          set.sentences.map((s) => s.tokens),
          { wordVector: mode },
        );
      }
      encodeSeconds = (performance.now() - t0) / 1000;
    }
    const t0 = performance.now();
    const tagger: SequenceTagger =
      mode === null
        ? await trainTagger({ train, dev }, { epochs })
        : await trainTagger({ train, dev, encoder }, { epochs, wordVector: mode });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const evaluation = await tagger.evaluateAsync(test);
    const tagSeconds = (performance.now() - t1) / 1000;
    table.push({
      system,
      encodeSeconds,
      trainSeconds,
      tokensPerSecond: testTokens / tagSeconds,
      f1: evaluation.entities.micro.f1,
    });
    console.log(table.at(-1));
  };
  await measure("textkit sparse features", null);
  await measure(`textkit + ${encoder.info.name}, first piece (random weights)`, "first");
  await measure(`textkit + ${encoder.info.name}, mean of pieces (random weights)`, "mean");
  await encoder.close();
  const base = table[0];
  const body = markdownTable(
    [
      "system",
      "encode s (train+dev+test)",
      "train s (its encoding included)",
      "train / sparse",
      "tag tokens/s",
      "tag speed / sparse",
      "F1 strict (random weights: no claim)",
      "load",
    ],
    table.map((r) => [
      r.system,
      fmt.s(r.encodeSeconds),
      fmt.s(r.trainSeconds),
      fmt.ratio(r.trainSeconds / (base?.trainSeconds ?? Number.NaN)),
      fmt.int(r.tokensPerSecond),
      fmt.ratio(r.tokensPerSecond / (base?.tokensPerSecond ?? Number.NaN)),
      fmt.pct(r.f1),
      load.toFixed(1),
    ]),
  );
  const text =
    `# bench:tag-encoder\n\n${machine()}\n\nsamples/ner-en (${train.sentences.length} train, ${dev.sentences.length} dev, ${test.sentences.length} test sentences), ` +
    `${epochs} epochs at most, one thread. The encoder (${encoderDir.split("/").at(-1)}, ${encoder.dim} hidden) has random weights: ` +
    "times only; its F1 says nothing about what a pretrained encoder brings.\n\n" +
    `${body}\n`;
  console.log(text);
  console.log(`written to ${writeResult("tag-encoder", text)}`);
}

await main();
