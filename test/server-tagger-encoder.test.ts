/**
 * A tagger trained on a pretrained encoder's word vectors, served: the server takes the
 * encoder from its shared pool (by the checksum the model records) and tags through the
 * asynchronous path, with the same answers as the model in process.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { type SequenceTagger, trainTagger } from "../src/models/tagger/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { dataset, sentence } from "./support/tagged-sentences.ts";

const ENCODER = fileURLToPath(new URL("./fixtures/encoders/bert-wordpiece", import.meta.url));
const root = tempDir("server-tagger-encoder");
const modelsDir = join(root.path, "models");
let server: RunningServer;
let encoder: OnnxEncoder;
let model: SequenceTagger;

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const specs: string[] = [];
  for (const cue of ["card", "bank", "money", "weather", "movie", "film"]) {
    const org = ["card", "bank", "money"].includes(cue);
    specs.push(`${cue} the the the the atm${org ? "/B-ORG" : ""}`, `Tim/B-PER Cook/I-PER paid ${cue}`);
  }
  encoder = await loadEncoder(ENCODER, { threads: 1 });
  const train = dataset([...specs, ...specs].map((s, i) => sentence(s, i + 1)));
  model = await trainTagger({ train, encoder, encoderPath: ENCODER }, { epochs: 5 });
  await model.save(join(modelsDir, "entities"));
  server = await startServer({ modelsDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
  await server.whenReady();
});

after(async () => {
  await server.close();
  await encoder.close();
  root.remove();
});

describe("a tagger on an encoder in the server", () => {
  it("answers what the model answers in process, offsets into each input", async () => {
    const inputs = ["card the the the the atm", "Tim Cook paid movie", "nothing here"];
    const res = await call(`${server.url}/v1/models/entities/predict`, { body: { inputs } });
    assert.equal(res.status, 200, res.text);
    const body = res.body as { predictions: { entities: { text: string; start: number; end: number }[] }[] };
    const expected = await model.predictAsync(inputs);
    assert.deepEqual(body.predictions, JSON.parse(JSON.stringify(expected)));
    assert.ok((body.predictions[1]?.entities.length ?? 0) > 0, res.text);
    for (const [i, p] of body.predictions.entries()) {
      for (const e of p.entities) assert.equal(inputs[i]?.slice(e.start, e.end), e.text);
    }
  });

  it("names the encoder in the model's details and refuses bad input with a 4xx", async () => {
    const details = (await call(`${server.url}/v1/models/entities`)).body as {
      details: { encoder: { id: string; wordVector: string } };
    };
    assert.deepEqual(details.details.encoder, { id: encoder.id, wordVector: "first" });
    const bad = await call(`${server.url}/v1/models/entities/predict`, { body: { inputs: [42] } });
    assert.ok(bad.status >= 400 && bad.status < 500, bad.text);
    assert.ok(errorOf(bad).code !== undefined);
  });
});
