/**
 * One row of bench:encoder for textkit, in its own process so that its peak memory is its
 * own: loads the encoder, embeds one warm-up batch, then times `embed` over every text
 * (tokenising, forward passes, pooling) and, apart, tokenising alone.
 *
 *   node --import tsx bench/encoder/worker.ts MODEL_DIR TEXTS.json THREADS BATCH OUT.f32
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadEncoder } from "../../src/index.ts";

const [dir, textsFile, threadsArg, batchArg, outFile] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const texts = JSON.parse(readFileSync(textsFile, "utf8")) as string[];
const threads = Number(threadsArg);
const batchSize = Number(batchArg);
const encoder = await loadEncoder(dir, { threads });
await encoder.embed(texts.slice(0, batchSize), { batchSize });
const t0 = performance.now();
const out = await encoder.embed(texts, { batchSize });
const seconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
for (const text of texts) encoder.tokenize(text);
const tokenizeSeconds = (performance.now() - t1) / 1000;
writeFileSync(outFile, new Uint8Array(out.vectors.buffer, out.vectors.byteOffset, out.vectors.byteLength));
await encoder.close();
process.stdout.write(
  `${JSON.stringify({ seconds, tokenizeSeconds, texts: texts.length, maxRssKb: process.resourceUsage().maxRSS })}\n`,
);
