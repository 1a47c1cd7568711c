/**
 * The README's main job, as a newcomer runs it: `textkit demo --serve` trains the monitor's
 * samples, serves them with the monitor on the embedded database, replays the demo stream,
 * and the dashboard's API shows trends and the alert the incident raised. Stopped with
 * SIGTERM, it drains and exits 0.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "./server-helpers.ts";

const BIN = fileURLToPath(new URL("../bin/textkit.js", import.meta.url));
const root = tempDir("demo-monitor");

after(() => root.remove());

describe("npm run demo (textkit demo --serve)", () => {
  it("serves the dashboard with two days of demo news and the alerts of the incident", {
    timeout: 120_000,
  }, async () => {
    const out = join(root.path, "demo");
    const child = spawn(
      process.execPath,
      [
        BIN,
        "demo",
        "--serve",
        "--port",
        "0",
        "--quiet",
        "--out",
        out,
        "--only",
        "monitor-topic",
        "monitor-sentiment",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stdout!.resume();
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start in 90 s: ${stderr}`)), 90_000);
      child.stderr!.on("data", (c: Buffer) => {
        stderr += c.toString("utf8");
        const m = /dashboard, with .*: (http:\/\/\S+)\/dashboard\//.exec(stderr);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on("exit", (code) => reject(new Error(`the demo exited (${code}): ${stderr}`)));
    });
    try {
      assert.match(stderr, /monitor: replayed \d+ demo documents over the last 48 hours; \d+ alerts? fired/);
      const status = (await (await fetch(`${url}/v1/monitor/status`)).json()) as {
        documents: number;
        topics: string[];
      };
      assert.ok(status.documents > 500, JSON.stringify(status));
      assert.equal(status.topics.length, 5);
      const alerts = (await (await fetch(`${url}/v1/monitor/alerts`)).json()) as {
        alerts: { rule: string; topic: string }[];
      };
      assert.ok(
        alerts.alerts.some((a) => a.rule === "negative-surge" && a.topic === "banking"),
        JSON.stringify(alerts.alerts),
      );
      const trends = (await (await fetch(`${url}/v1/monitor/trends?bucket=hour`)).json()) as {
        all: { total: number[]; negative: number[] };
      };
      assert.ok(trends.all.total.filter((n) => n > 0).length > 12, "documents in most hours of the day");
      // The demo also builds the technology radar into the same database.
      const radar = (await (await fetch(`${url}/v1/radar`)).json()) as {
        snapshot: { blips: { technology: string; ring: string | null }[] };
      };
      const ledgerline = radar.snapshot.blips.find((b) => b.technology === "Ledgerline");
      assert.equal(ledgerline?.ring, "adopt", JSON.stringify(radar.snapshot.blips));
      const page = await fetch(`${url}/dashboard/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
    } finally {
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      assert.equal(code, 0, stderr);
    }
  });
});
