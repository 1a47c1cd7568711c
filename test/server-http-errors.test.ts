/**
 * Errors raised before a route runs, or by the body parser, end to end on a real server on
 * loopback (issue 15, items 8 and 9): raw sockets send what fetch would refuse to send, and
 * every answer must be textkit's `{ error: { code, message, hint } }` with a textkit code,
 * never fastify's shape, and must name no path of the server's.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { datasetFromExamples } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { topicTexts } from "./support/topic-corpus.ts";

const root = tempDir("server-http-errors");
const modelsDir = join(root.path, "models");
const trainFile = join(root.path, "private", "data", "train.csv");
let server: RunningServer;

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  // Trained from a file given by its absolute path, as `textkit classify train` records it.
  const examples = topicTexts(120, 3).map((e, i) => ({ text: e.text, labels: [e.label], line: i + 2 }));
  const model = await trainClassifier(
    { train: datasetFromExamples(trainFile, examples) },
    { dim: 8, epochs: 2, lr: 0.5, buckets: 2000, seed: 1 },
  );
  await model.save(join(modelsDir, "topics", "v1"));
  server = await startServer({ modelsDir, port: 0, auth: "off", logger: false, watchIntervalMs: 0 });
  await server.whenReady();
});

after(async () => {
  await server?.close();
  root.remove();
});

interface RawAnswer {
  status: number;
  head: string;
  body: { error?: Record<string, unknown> } & Record<string, unknown>;
}

/** Sends bytes as they are and reads the answer until the server closes or it is complete. */
function raw(bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer: ${Buffer.concat(chunks).toString()}`));
    }, 15_000);
    const finish = (): void => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const head = text.slice(0, split);
      const length = /content-length: (\d+)/i.exec(head);
      const bodyText = text.slice(split + 4);
      if (split < 0 || length === null || Buffer.byteLength(bodyText) < Number(length[1])) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(head.split(" ")[1]), head, body: JSON.parse(bodyText) });
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      finish();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      finish();
      clearTimeout(timer);
      reject(new Error(`closed without a whole answer: ${Buffer.concat(chunks).toString()}`));
    });
    socket.write(bytes);
  });
}

function assertTextkitError(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.head);
  const error = answer.body.error;
  assert.ok(error !== undefined && typeof error === "object", JSON.stringify(answer.body));
  assert.equal(error["code"], code, JSON.stringify(answer.body));
  assert.ok(typeof error["message"] === "string" && error["message"].length > 0);
  assert.ok(typeof error["hint"] === "string" && error["hint"].length > 0);
  assert.equal(answer.body["statusCode"], undefined, "not fastify's shape");
  assert.doesNotMatch(JSON.stringify(answer.body), /FST_|Client Error/);
}

function post(path: string, body: Buffer | string, extra = ""): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${bytes.length}\r\nConnection: close\r\n${extra}\r\n`,
    ),
    bytes,
  ]);
}

describe("errors before a route, in textkit's shape", () => {
  it("a path part over the length limit: 414 URL_PARAM_TOO_LONG", async () => {
    const answer = await raw(
      `GET /v1/models/${"m".repeat(150)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assertTextkitError(answer, 414, "URL_PARAM_TOO_LONG");
  });

  it("a bad percent-encoding in the path: 400 URL_INVALID", async () => {
    const answer = await raw("GET /v1/models/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTextkitError(answer, 400, "URL_INVALID");
  });

  it("headers over Node's limit: 431 HEADERS_TOO_LARGE", async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    assertTextkitError(answer, 431, "HEADERS_TOO_LARGE");
  });

  it("Content-Length with Transfer-Encoding (request smuggling), and a bad chunk: 400 REQUEST_MALFORMED", async () => {
    const both = await raw(
      "POST /v1/models/topics/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        'Content-Length: 15\r\nTransfer-Encoding: chunked\r\n\r\nf\r\n{"text": "goal"}\r\n0\r\n\r\n',
    );
    assertTextkitError(both, 400, "REQUEST_MALFORMED");
    const chunk = await raw(
      "POST /v1/models/topics/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    );
    assertTextkitError(chunk, 400, "REQUEST_MALFORMED");
  });
});

describe("request bodies", () => {
  it("bytes that are not UTF-8: 400 BODY_INVALID_UTF8 naming the field", async () => {
    const body = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const answer = await raw(post("/v1/models/topics/predict", body));
    assertTextkitError(answer, 400, "BODY_INVALID_UTF8");
    assert.equal(answer.body.error?.["field"], "/text");
  });

  it("an unpaired surrogate escape: 400 BODY_INVALID_UTF8 naming the field", async () => {
    const answer = await raw(post("/v1/models/topics/predict", '{"inputs": ["fine", "broken \\udfff"]}'));
    assertTextkitError(answer, 400, "BODY_INVALID_UTF8");
    assert.equal(answer.body.error?.["field"], "/inputs/1");
  });

  it("a __proto__ key: 400 BODY_FORBIDDEN_KEY, not 'not valid JSON'", async () => {
    const answer = await raw(post("/v1/models/topics/predict", '{"text": "goal", "__proto__": {"x": 1}}'));
    assertTextkitError(answer, 400, "BODY_FORBIDDEN_KEY");
    assert.equal(answer.body.error?.["field"], "/__proto__");
  });

  it("a valid body still predicts", async () => {
    const res = await call(`${server.url}/v1/models/topics/predict`, { body: { text: "goal 😀" } });
    assert.equal(res.status, 200, res.text);
  });
});

describe("no internal paths", () => {
  it("GET /v1/models/{name} gives the training file's name, not where it is", async () => {
    const res = await call(`${server.url}/v1/models/topics`);
    assert.equal(res.status, 200, res.text);
    const body = res.body as { manifest: { data?: { source?: string } }; details: { run?: unknown } };
    assert.equal(body.manifest.data?.source, "train.csv");
    assert.ok(!res.text.includes(root.path), `no path of the server's: ${res.text}`);
    assert.equal(errorOf(res).code, undefined);
  });
});
