/**
 * `textkit demo --serve` with the demo shop: both models trained and served, the 50/50
 * split in place, and simulated shoppers whose impressions and clicks reach the online
 * figures while it runs.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { tempDir } from "./server-helpers.ts";

const BIN = fileURLToPath(new URL("../bin/textkit.js", import.meta.url));
const root = tempDir("demo-recommend");
after(() => root.remove());

describe("npm run demo: the recommend application's shop", () => {
  it("trains and serves the shop with an A/B split and live simulated shoppers", {
    timeout: 150_000,
  }, async () => {
    const out = join(root.path, "demo");
    const child = spawn(
      process.execPath,
      [BIN, "demo", "--serve", "--port", "0", "--quiet", "--out", out, "--only", "shop"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the demo did not start in 120 s: ${stderr}`)),
        120_000,
      );
      child.stderr!.on("data", (c: Buffer) => {
        stderr += c.toString("utf8");
        const m = /recommend demo .*: (http:\/\/\S+)\/dashboard\/#\/recommend\?app=shop/.exec(stderr);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on("exit", (code) => reject(new Error(`the demo exited (${code}): ${stderr}`)));
    });
    try {
      assert.match(stdout, /shop \(hybrid\): trained in .*; \d+% of users get their planted subject first/);
      assert.ok(existsSync(join(out, "models", "shop-als", "manifest.json")));
      const split = (await (await fetch(`${url}/v1/recommend/shop/split`)).json()) as Record<string, unknown>;
      assert.deepEqual(split, { app: "shop", control: "shop", treatment: "shop-als", share: 0.5 });
      // The shoppers come every 1.5 s: within 20 s there are impressions.
      let impressions = 0;
      for (let i = 0; i < 40 && impressions === 0; i++) {
        await sleep(500);
        const stats = (await (await fetch(`${url}/v1/recommend/shop/stats`)).json()) as {
          byVariant: { impressions: number }[];
        };
        impressions = stats.byVariant.reduce((s, v) => s + v.impressions, 0);
      }
      assert.ok(impressions >= 10, `${impressions} impressions: ${stderr}`);
    } finally {
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      assert.equal(code, 0, stderr);
    }
  });
});
