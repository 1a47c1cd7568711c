import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { isTextkitError, type TextkitError } from "../../core/index.ts";
import { readMonitorConfig, resolveMonitorConfig } from "./config.ts";

const scratch = scratchFiles("monitor-config");

function refused(value: unknown): TextkitError {
  try {
    resolveMonitorConfig(value, "monitor.json");
  } catch (e) {
    assert.ok(isTextkitError(e), String(e));
    assert.equal(e.code, "MONITOR_CONFIG_INVALID", e.message);
    assert.equal(e.file, "monitor.json");
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(value)}`);
}

describe("resolveMonitorConfig", () => {
  it("fills in the defaults, durations in minutes, and a model per language", () => {
    const c = resolveMonitorConfig({
      models: { topic: "topics", sentiment: { en: "sent-en", zh: "sent-zh" } },
      rules: [
        { id: "neg", kind: "negative_share", window: "2h", cooldown: "1d" },
        { id: "k", kind: "keyword", keywords: ["Outage"] },
      ],
      webhooks: ["https://hooks.example.com/a"],
      feeds: [{ url: "https://news.example.com/rss", interval: "15m" }],
    });
    assert.deepEqual(c.models, {
      topic: "topics",
      sentiment: { en: "sent-en", zh: "sent-zh" },
      entities: null,
    });
    assert.deepEqual(
      [c.rules[0]!.windowMinutes, c.rules[0]!.cooldownMinutes, c.rules[0]!.baselineWindows, c.rules[0]!.z],
      [120, 1440, 24, 3],
    );
    assert.deepEqual([c.rules[0]!.minBaselineWindows, c.rules[0]!.minBaselineDocs], [6, 10]);
    assert.deepEqual(
      [c.rules[1]!.keywords, c.rules[1]!.minDocs, c.rules[1]!.windowMinutes],
      [["outage"], 1, 10],
    );
    assert.deepEqual(c.webhooks, [{ url: "https://hooks.example.com/a", secret: null, maxAttempts: 8 }]);
    assert.equal(c.feeds[0]!.intervalMinutes, 15);
    assert.deepEqual([c.batchSize, c.maxPending, c.termsPerDocument, c.entityLabels], [500, 20_000, 8, null]);
    assert.equal(c.sentimentLabels["negative"], "negative");
  });

  it("reads the Redis settings, short durations included, with a takeover of seconds by default", () => {
    const models = { topic: "t", sentiment: "s" };
    const plain = resolveMonitorConfig({ models, redis: { url: "redis://127.0.0.1:6379", stream: "news" } });
    assert.deepEqual(plain.redis, {
      url: "redis://127.0.0.1:6379",
      stream: "news",
      group: "textkit-monitor",
      consumer: null,
      batchSize: 500,
      startFrom: "beginning",
      claimIdleMs: 5_000,
      removeIdleMs: 600_000,
      deadLetterStream: "news:dead",
    });
    const set = resolveMonitorConfig({
      models,
      redis: { url: "redis://r", stream: "s", consumer: "m1", claimIdle: "2s", removeIdle: "1h" },
    });
    assert.equal(set.redis?.claimIdleMs, 2_000);
    assert.equal(set.redis?.removeIdleMs, 3_600_000);
    assert.equal(set.redis?.consumer, "m1");
    // A plain number is minutes, as for every duration of the file.
    assert.equal(
      resolveMonitorConfig({ models, redis: { url: "redis://r", stream: "s", claimIdle: 1 } }).redis
        ?.claimIdleMs,
      60_000,
    );
    assert.match(
      refused({ models, redis: { url: "redis://r", stream: "s", claimIdle: "soon" } }).message,
      /^redis\.claimIdle: "soon" is not a duration such as "500ms", "5s" or "2m"/,
    );
  });

  it("names the key path of every mistake", () => {
    assert.match(refused({ model: {} }).message, /^model: is not a setting here; the settings are models, /);
    assert.match(refused({ models: { topic: 3 } }).message, /^models\.topic: must be a model name/);
    assert.match(
      refused({ models: { topic: { fr: "x" } } }).message,
      /^models\.topic\.fr: is not a setting here/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "spike" }] }).message,
      /^rules\[0\]\.kind: must be one of/,
    );
    assert.match(
      refused({
        rules: [
          { id: "a", kind: "volume_spike" },
          { id: "a", kind: "keyword", keywords: ["x"] },
        ],
      }).message,
      /^rules\[1\]\.id: "a" is the id of an earlier rule/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "keyword" }] }).message,
      /^rules\[0\]\.keywords: a keyword rule needs at least one/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "volume_spike", window: "soon" }] }).message,
      /^rules\[0\]\.window: "soon" is not a duration/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "volume_spike", window: "90s" }] }).message,
      /is not a duration/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "volume_spike", baseline: 1 }] }).message,
      /^rules\[0\]\.baseline: must be a whole number of at least 2/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "volume_spike", baseline: 6, minBaselineWindows: 7 }] }).message,
      /^rules\[0\]\.minBaselineWindows: must be a whole number from 1 to the rule's baseline \(6\)/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "negative_share", minBaselineWindows: 0 }] }).message,
      /^rules\[0\]\.minBaselineWindows: must be a whole number from 1/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "negative_share", minBaselineDocs: 2.5 }] }).message,
      /^rules\[0\]\.minBaselineDocs: must be a whole number of at least 1/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "keyword", keywords: ["x"], minBaselineDocs: 5 }] }).message,
      /^rules\[0\]\.minBaselineDocs: is for negative_share and volume_spike rules/,
    );
    assert.match(
      refused({ rules: [{ id: "a", kind: "keyword", keywords: ["x"], sentiment: "angry" }] }).message,
      /^rules\[0\]\.sentiment:/,
    );
    assert.match(refused({ webhooks: [{ url: "ftp://x" }] }).message, /^webhooks\[0\]\.url: must be an http/);
    assert.match(refused({ feeds: [{ url: "https://x", lang: "French" }] }).message, /^feeds\[0\]\.lang:/);
    assert.match(
      refused({ redis: { url: "http://x", stream: "s" } }).message,
      /^redis\.url: must be a redis:\/\//,
    );
    assert.match(refused({ redis: { url: "redis://x" } }).message, /^redis\.stream: is required/);
    assert.match(
      refused({ sentimentLabels: { pos: "good" } }).message,
      /^sentimentLabels\.pos: must be one of/,
    );
    assert.match(refused({ entityLabels: ["ORG", ""] }).message, /^entityLabels\[1\]:/);
    assert.match(refused({ batchSize: 0 }).message, /^batchSize: must be a whole number from 1 to 5000/);
    assert.match(refused([1, 2]).message, /must be one JSON object/);
  });

  it("reads a file, and names the file when it is missing or not JSON", () => {
    const good = join(scratch.path, "good.json");
    writeFileSync(good, JSON.stringify({ models: { topic: "t" } }));
    assert.equal(readMonitorConfig(good).models.topic, "t");
    const bad = join(scratch.path, "bad.json");
    writeFileSync(bad, "{ models: ");
    assert.throws(
      () => readMonitorConfig(bad),
      (e) => isTextkitError(e) && e.code === "DATA_BAD_JSON" && e.file === bad,
    );
    assert.throws(
      () => readMonitorConfig(join(scratch.path, "none.json")),
      (e) => isTextkitError(e) && e.code === "DATA_FILE_NOT_FOUND",
    );
  });
});

describe("monitor configuration file", () => {
  it("names the line of the key that is wrong, and what it must be", () => {
    const file = join(scratch.path, "lines.json");
    const text = [
      "{",
      '  "models": { "topic": "t" },',
      '  "rules": [',
      '    { "id": "a", "kind": "keyword", "keywords": ["x"] },',
      "    {",
      '      "id": "b",',
      '      "kind": "volume_spike",',
      '      "window": "soon"',
      "    }",
      "  ]",
      "}",
    ].join("\n");
    writeFileSync(file, text);
    const refusedFile = (): TextkitError => {
      try {
        readMonitorConfig(file);
      } catch (e) {
        assert.ok(isTextkitError(e), String(e));
        return e;
      }
      assert.fail("accepted");
    };
    const e = refusedFile();
    assert.equal(e.code, "MONITOR_CONFIG_INVALID");
    assert.equal(e.line, 8);
    assert.equal(e.message, 'rules[1].window: "soon" is not a duration such as "15m", "2h" or "1d"');
    writeFileSync(file, text.replace('"kind": "volume_spike"', '"kind": "volume_spike", "zz": 1'));
    const unknown = refusedFile();
    assert.equal(unknown.line, 7);
    assert.match(unknown.message, /^rules\[1\]\.zz: is not a setting here; the settings are id, kind, topic/);
  });

  it("says what a key must be: a model name or one per language, a URL, a whole number", () => {
    assert.equal(
      refused({ models: { topic: { en: "" } } }).message,
      "models.topic.en: must be a non-empty string",
    );
    assert.equal(
      refused({ models: { topic: {} } }).message,
      'models.topic: names no model; give "en" and/or "zh"',
    );
    assert.equal(
      refused({ webhooks: ["ftp://x"] }).message,
      "webhooks[0]: must be an http:// or https:// URL, or an object with url, secret and maxAttempts",
    );
    assert.equal(
      refused({ workers: "many" }).message,
      'workers: must be a whole number from 0 to 64, or "auto"',
    );
    assert.equal(
      refused({ redis: { url: "redis://r", stream: "s", claimIdle: "0s" } }).message,
      "redis.claimIdle: must be at least 1 ms",
    );
    assert.equal(refused({ rules: [{ kind: "keyword" }] }).message, "rules[0].id: is required");
    assert.equal(refused({ rules: "none" }).message, "rules: must be a list");
    assert.equal(
      refused({ rules: [{ id: "a", kind: "volume_spike", window: "1.5m" }] }).message,
      "rules[0].window: must be a whole number of minutes",
    );
    const c = resolveMonitorConfig({
      workers: 3,
      feeds: [" https://x/rss "],
      entityLabels: [" ORG "],
      sentimentLabels: { pos: "positive" },
    });
    assert.deepEqual(
      [c.workers, c.feeds[0]?.url, c.entityLabels, c.sentimentLabels["pos"]],
      [3, "https://x/rss", ["ORG"], "positive"],
    );
  });
});
