import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pino from "pino";
import { resolveServerConfig } from "./config.ts";
import { type AccessFields, AccessLog, loggerOptions } from "./logging.ts";

/** pino configured as the server configures it, writing into `lines`. */
function serverPino(lines: string[], level: "info" | "warn" = "info") {
  const sink = { write: (line: string) => lines.push(line) };
  const options = loggerOptions(
    resolveServerConfig({ modelsDir: "models", logger: { level, stream: sink } }),
  );
  assert.ok(options !== false && typeof options === "object");
  return pino(options as pino.LoggerOptions, sink);
}

/** A logger that fails when used. */
const unusable = new Proxy(pino({ enabled: false }), {
  get: () => {
    throw new Error("the request's logger was used");
  },
});

const withoutTime = (line: string | undefined): string => (line ?? "").replace(/"time":\d+/, '"time":0');

const CASES: AccessFields[] = [
  {
    method: "POST",
    route: "/v1/models/:name/predict",
    url: "/v1/models/intents/predict",
    status: 200,
    ms: 1.23,
    keyId: null,
  },
  {
    method: "GET",
    route: "unmatched",
    url: '/v1/a"b\\c?mail=ann@example.com',
    status: 404,
    ms: 0,
    keyId: "k_1",
    code: "NOT_FOUND",
  },
  {
    method: "POST",
    route: "/v1/x",
    url: `/v1/${"long/".repeat(30)}tel 13812345678`,
    status: 413,
    ms: 12.5,
    keyId: "k 2",
    code: "BODY_TOO_LARGE",
  },
  {
    method: "GET",
    route: "/v1/y",
    url: "/v1/\u0001ctl\u00e9\u4e2d",
    status: 401,
    ms: Number.NaN,
    keyId: null,
    code: "AUTH_REQUIRED",
  },
];

describe("the access line", () => {
  it("is byte for byte the line pino writes for request.log.info(fields, 'request'), masking included", () => {
    for (const fields of CASES) {
      const byPino: string[] = [];
      const byHand: string[] = [];
      const id = "3f1c2a9e-0000-4000-8000-000000000001";
      serverPino(byPino)
        .child({ reqId: id })
        .info({ ...fields }, "request");
      const logger = serverPino(byHand);
      // Built by hand: the request's logger is never asked.
      new AccessLog(logger).write({ id, log: unusable }, fields);
      assert.equal(byHand.length, 1);
      assert.equal(withoutTime(byHand[0]), withoutTime(byPino[0]));
    }
    const masked: string[] = [];
    const logger = serverPino(masked);
    new AccessLog(logger).write({ id: "r", log: logger }, CASES[1] as AccessFields);
    assert.match(masked[0] ?? "", /mail=\[email\]/);
    assert.doesNotMatch(masked[0] ?? "", /ann@example\.com/);
  });

  it("is not written when the level is above info", () => {
    const lines: string[] = [];
    const logger = serverPino(lines, "warn");
    new AccessLog(logger).write({ id: "r", log: logger }, CASES[0] as AccessFields);
    assert.deepEqual(lines, []);
  });

  it("goes through the request's logger when the logger is not pino", () => {
    const calls: unknown[][] = [];
    const record =
      (name: string) =>
      (...args: unknown[]) =>
        calls.push([name, ...args]);
    const plain = {
      level: "info",
      fatal: record("fatal"),
      error: record("error"),
      warn: record("warn"),
      info: record("info"),
      debug: record("debug"),
      trace: record("trace"),
      silent: record("silent"),
      child: () => plain,
    };
    new AccessLog(plain).write({ id: "r", log: plain }, CASES[0] as AccessFields);
    assert.deepEqual(calls, [["info", { ...CASES[0] }, "request"]]);
  });
});
