/**
 * The node:http floor for bench:serve: the same textkit classifier on a bare node:http
 * server (read the body, JSON.parse, predict, JSON.stringify, one `end`), no framework.
 * Between it and hello.mjs is the model's own cost; between it and fastify-bare.ts, the
 * framework's.
 *
 * node --import tsx bench/serve/http-classifier.ts PORT MODEL_DIR
 */
import { createServer } from "node:http";
import { loadClassifier } from "../../src/index.ts";

const port = Number(process.argv[2] ?? 8097);
const dir = process.argv[3];
if (dir === undefined) throw new Error("usage: http-classifier.ts PORT MODEL_DIR");
const model = await loadClassifier(dir);
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { text: string; k?: number };
    const predictions = model.predict([body.text], body.k === undefined ? {} : { k: body.k });
    const out = JSON.stringify({ model: "intents", version: "1", predictions, truncated: [] });
    response.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(out),
    });
    response.end(out);
  });
});
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
