/**
 * The framework floor for bench:serve: a bare fastify (the version textkit serves with) that
 * predicts with the same textkit classifier on the same route, with no hooks, plugins,
 * validation, logging or metrics. textkit's row against this one is the cost of its layers.
 *
 * With "hello" as MODEL_DIR it answers {"ok":true} without a model: fastify's own floor.
 *
 * node --import tsx bench/serve/fastify-bare.ts PORT MODEL_DIR|hello
 */
import { fastify } from "fastify";
import { loadClassifier } from "../../src/index.ts";

const port = Number(process.argv[2] ?? 8096);
const dir = process.argv[3];
if (dir === undefined) throw new Error("usage: fastify-bare.ts PORT MODEL_DIR|hello");
const model = dir === "hello" ? null : await loadClassifier(dir);
const app = fastify({ logger: false });
app.post("/v1/models/:name/predict", (request) => {
  if (model === null) return { ok: true };
  const body = request.body as { text: string; k?: number };
  const predictions = model.predict([body.text], body.k === undefined ? {} : { k: body.k });
  return { model: "intents", version: "1", predictions, truncated: [] };
});
await app.listen({ port, host: "127.0.0.1" });
process.on("SIGTERM", () => {
  app.close().then(() => process.exit(0));
});
