import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { resolveServerConfig, SERVER_DEFAULTS, type ServerConfig } from "./config.ts";

describe("resolveServerConfig", () => {
  it("fills in the defaults: loopback, port 8080, auth auto, CORS closed, rate limit off", () => {
    const c = resolveServerConfig({ modelsDir: "models" });
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 8080);
    assert.equal(c.auth, "auto");
    assert.deepEqual(c.cors.origins, []);
    assert.equal(c.rateLimit, false);
    assert.equal(c.bodyLimitBytes, 1024 * 1024);
    assert.equal(c.maxBatch, SERVER_DEFAULTS.maxBatch);
    assert.equal(c.maxTextChars, 10_000);
    assert.equal(c.textOverflow, "reject");
  });

  it("takes the burst from perMinute unless given", () => {
    assert.deepEqual(resolveServerConfig({ modelsDir: "m", rateLimit: { perMinute: 120 } }).rateLimit, {
      perMinute: 120,
      burst: 120,
    });
    assert.deepEqual(
      resolveServerConfig({ modelsDir: "m", rateLimit: { perMinute: 120, burst: 10 } }).rateLimit,
      { perMinute: 120, burst: 10 },
    );
  });

  const bad: [string, ServerConfig, RegExp][] = [
    ["no models dir", { modelsDir: "" }, /modelsDir is required/],
    ["a port out of range", { modelsDir: "m", port: 70000 }, /port must be an integer from 0 to 65535/],
    ["an unknown auth mode", { modelsDir: "m", auth: "maybe" as "on" }, /auth must be one of auto, on, off/],
    ["a zero batch", { modelsDir: "m", maxBatch: 0 }, /maxBatch must be an integer >= 1/],
    ["a fractional body limit", { modelsDir: "m", bodyLimitBytes: 1.5 }, /bodyLimitBytes must be an integer/],
    [
      "an unknown overflow mode",
      { modelsDir: "m", textOverflow: "drop" as "reject" },
      /textOverflow must be one of/,
    ],
    ["an origin with a path", { modelsDir: "m", cors: { origins: ["https://a.com/x"] } }, /CORS origin/],
    ["an unknown log level", { modelsDir: "m", logger: "loud" as "info" }, /log level must be one of/],
  ];
  for (const [name, config, message] of bad) {
    it(`refuses ${name} with OPTION_INVALID`, () => {
      assert.throws(
        () => resolveServerConfig(config),
        (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID" && message.test(e.message),
      );
    });
  }
  it("turns the predict fast path off with fastPath: false or TEXTKIT_FAST_PATH=0", () => {
    const before = process.env.TEXTKIT_FAST_PATH;
    try {
      delete process.env.TEXTKIT_FAST_PATH;
      assert.equal(resolveServerConfig({ modelsDir: "models" }).fastPath, true);
      assert.equal(resolveServerConfig({ modelsDir: "models", fastPath: false }).fastPath, false);
      process.env.TEXTKIT_FAST_PATH = "0";
      assert.equal(resolveServerConfig({ modelsDir: "models" }).fastPath, false);
      assert.equal(resolveServerConfig({ modelsDir: "models", fastPath: true }).fastPath, true);
    } finally {
      if (before === undefined) delete process.env.TEXTKIT_FAST_PATH;
      else process.env.TEXTKIT_FAST_PATH = before;
    }
  });
});
