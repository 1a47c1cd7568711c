/**
 * Model versions appearing, breaking and being chosen while the server answers requests.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { manifestDigest } from "../src/artifact/index.ts";
import type { TextClassifier } from "../src/models/classifier/index.ts";
import { PIN_FILE, type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir, trainTopicModel } from "./server-helpers.ts";

const root = tempDir("server-swap");
const modelsDir = join(root.path, "models");
const modelDir = join(modelsDir, "topics");
let first: TextClassifier;
let second: TextClassifier;
let server: RunningServer;
const TEXT = "the bank raised the loan rate for the market";

interface Status {
  activeVersion: string | null;
  pinnedVersion: string | null;
  versions: { version: string; state: string; error: { code: string; message: string } | null }[];
}

async function status(): Promise<Status> {
  const res = await call(`${server.url}/v1/models/topics`);
  assert.equal(res.status, 200, res.text);
  return res.body as Status;
}

async function predictOnce(): Promise<{ status: number; version: string; predictions: unknown[] }> {
  const res = await call(`${server.url}/v1/models/topics/predict`, { body: { inputs: [TEXT], k: 3 } });
  const body = res.body as { version?: string; predictions?: unknown[] };
  return { status: res.status, version: body.version ?? "", predictions: body.predictions ?? [] };
}

/** Saves a model elsewhere, breaks it, then moves the complete directory in at once. */
async function dropBroken(version: string, breakIt: (dir: string) => void): Promise<void> {
  const staging = join(root.path, `staging-${version}`);
  await first.save(staging);
  breakIt(staging);
  renameSync(staging, join(modelDir, version));
}

before(async () => {
  mkdirSync(modelDir, { recursive: true });
  first = await trainTopicModel(1);
  second = await trainTopicModel(2);
  await first.save(join(modelDir, "v1"));
  server = await startServer({ modelsDir, port: 0, auth: "off", logger: false, watchIntervalMs: 200 });
  await server.whenReady();
});

after(async () => {
  await server?.close();
  root.remove();
});

describe("hot swap", () => {
  it("swaps in a new version written while requests run, with no failed request", async () => {
    assert.equal((await predictOnce()).version, "v1");
    const seen: { status: number; version: string }[] = [];
    let stop = false;
    const loop = async (): Promise<void> => {
      while (!stop) {
        const r = await predictOnce();
        seen.push(r);
        if (r.version === "v2") {
          assert.deepEqual(r.predictions, second.predict([TEXT], { k: 3 }), "v2 answers with v2's weights");
        } else {
          assert.deepEqual(r.predictions, first.predict([TEXT], { k: 3 }), "v1 answers with v1's weights");
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await sleep(150);
    await second.save(join(modelDir, "v2"));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !seen.some((r) => r.version === "v2")) await sleep(20);
    await sleep(150);
    stop = true;
    await Promise.all(loops);
    assert.ok(seen.length > 20, `enough requests ran (${seen.length})`);
    assert.deepEqual(
      seen.filter((r) => r.status !== 200),
      [],
      "no request failed during the swap",
    );
    const firstV2 = seen.findIndex((r) => r.version === "v2");
    assert.ok(firstV2 > 0, "v1 answered before the swap and v2 after it");
    // Four concurrent loops: a request that started before the swap may still end just after it.
    assert.ok(
      seen.slice(firstV2 + 4).every((r) => r.version === "v2"),
      "once swapped, new requests never see the old version",
    );
    const s = await status();
    assert.equal(s.activeVersion, "v2");
  });

  it("refuses a version with a truncated weight file; the old version keeps answering", async () => {
    const failuresBefore = reloadFailures(await metricsText());
    await dropBroken("v3", (dir) => {
      const file = join(dir, "input.f32");
      truncateSync(file, readFileSync(file).byteLength - 8);
    });
    const res = await call(`${server.url}/v1/admin/reload`, { method: "POST" });
    assert.equal(res.status, 200, res.text);
    const s = await status();
    assert.equal(s.activeVersion, "v2");
    const v3 = s.versions.find((v) => v.version === "v3")!;
    assert.equal(v3.state, "failed");
    assert.equal(v3.error?.code, "ARTIFACT_CORRUPT");
    const r = await predictOnce();
    assert.equal(r.status, 200);
    assert.equal(r.version, "v2");
    assert.equal(
      reloadFailures(await metricsText()) - failuresBefore,
      1,
      "one refusal counted, not one per scan",
    );
    await sleep(500);
    assert.equal(
      reloadFailures(await metricsText()) - failuresBefore,
      1,
      "a known broken version is not retried",
    );
  });

  it("refuses a version whose manifest is garbage", async () => {
    await dropBroken("v4", (dir) => writeFileSync(join(dir, "manifest.json"), "{ not json"));
    await call(`${server.url}/v1/admin/reload`, { method: "POST" });
    const s = await status();
    assert.equal(s.activeVersion, "v2");
    assert.equal(s.versions.find((v) => v.version === "v4")?.error?.code, "ARTIFACT_CORRUPT");
    assert.equal((await predictOnce()).version, "v2");
  });

  it("refuses versions with an edited manifest or NaN weights; the old version keeps answering", async () => {
    const editManifest = (change: (m: Record<string, unknown>) => void, reseal: boolean) => (dir: string) => {
      const path = join(dir, "manifest.json");
      const manifest = JSON.parse(readFileSync(path, "utf8"));
      change(manifest);
      if (reseal) {
        delete manifest.digest;
        manifest.digest = manifestDigest(manifest);
      }
      writeFileSync(path, JSON.stringify(manifest, null, 2));
    };
    const cases: [string, (dir: string) => void][] = [
      ["v4.1", editManifest((m) => (m["labels"] = [...(m["labels"] as string[])].reverse()), false)],
      ["v4.2", editManifest((m) => (m["options"] = { ...(m["options"] as object), wordNgrams: 3 }), false)],
      [
        "v4.3",
        (dir) => {
          const input = readFileSync(join(dir, "input.f32"));
          input.writeFloatLE(Number.NaN, 0);
          writeFileSync(join(dir, "input.f32"), input);
          const sha256 = createHash("sha256").update(input).digest("hex");
          editManifest((m) => {
            (m["files"] as Record<string, { sha256: string }>)["input.f32"]!.sha256 = sha256;
          }, true)(dir);
        },
      ],
      ["v4.4", editManifest((m) => (m["options"] = null), true)],
    ];
    for (const [version, breakIt] of cases) await dropBroken(version, breakIt);
    await call(`${server.url}/v1/admin/reload`, { method: "POST" });
    const s = await status();
    assert.equal(s.activeVersion, "v2");
    for (const [version] of cases) {
      const v = s.versions.find((x) => x.version === version);
      assert.equal(v?.state, "failed", version);
      assert.equal(v?.error?.code, "ARTIFACT_CORRUPT", version);
      // Messages name the place inside the models directory, never the server's own path.
      assert.ok(!v?.error?.message.includes(root.path), v?.error?.message);
    }
    assert.ok(
      cases.some(([version]) =>
        s.versions.find((x) => x.version === version)?.error?.message.includes(`topics${sep}`),
      ),
      "some refusal names the model's folder inside the models directory",
    );
    const r = await predictOnce();
    assert.equal(r.version, "v2");
    assert.deepEqual(r.predictions, second.predict([TEXT], { k: 3 }));
    const refused = await call(`${server.url}/v1/admin/models/topics/activate`, {
      body: { version: "v4.3" },
    });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(errorOf(refused).code, "ARTIFACT_CORRUPT");
    assert.equal((await status()).activeVersion, "v2");
  });

  it("lists a model folder with a broken manifest with no family, never 'undefined'", async () => {
    const broken = join(modelsDir, "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "manifest.json"), JSON.stringify({ format: "textkit-model", files: {} }));
    await call(`${server.url}/v1/admin/reload`, { method: "POST" });
    const list = await call(`${server.url}/v1/models`);
    assert.equal(list.status, 200, list.text);
    assert.doesNotMatch(list.text, /undefined/);
    const res = await call(`${server.url}/v1/models/broken`);
    assert.equal(res.status, 200, res.text);
    const body = res.body as { family: string | null; versions: { error: { code: string } | null }[] };
    assert.equal(body.family, null);
    assert.equal(body.versions[0]?.error?.code, "ARTIFACT_CORRUPT");
    rmSync(broken, { recursive: true });
    await call(`${server.url}/v1/admin/reload`, { method: "POST" });
  });

  it("activates an older version on request, records it on disk, and goes back to the latest", async () => {
    const res = await call(`${server.url}/v1/admin/models/topics/activate`, { body: { version: "v1" } });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as Status).activeVersion, "v1");
    assert.equal((res.body as Status).pinnedVersion, "v1");
    assert.equal(readFileSync(join(modelDir, PIN_FILE), "utf8").trim(), "v1");
    const r = await predictOnce();
    assert.equal(r.version, "v1");
    assert.deepEqual(r.predictions, first.predict([TEXT], { k: 3 }));
    // A rescan keeps the pinned version although newer ones exist.
    await call(`${server.url}/v1/admin/reload`, { method: "POST" });
    assert.equal((await status()).activeVersion, "v1");
    const latest = await call(`${server.url}/v1/admin/models/topics/activate`, {
      body: { version: "latest" },
    });
    assert.equal(latest.status, 200, latest.text);
    assert.equal((latest.body as Status).activeVersion, "v2", "the newest version that loads");
  });

  it("refuses to activate a broken or unknown version, and keeps the active one", async () => {
    const broken = await call(`${server.url}/v1/admin/models/topics/activate`, { body: { version: "v3" } });
    assert.equal(broken.status, 422, broken.text);
    assert.equal(errorOf(broken).code, "ARTIFACT_CORRUPT");
    const unknown = await call(`${server.url}/v1/admin/models/topics/activate`, { body: { version: "v99" } });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown).code, "MODEL_VERSION_NOT_FOUND");
    assert.equal((await status()).activeVersion, "v2");
  });

  it("reloads a model's version from disk on request", async () => {
    const res = await call(`${server.url}/v1/admin/models/topics/reload`, { method: "POST" });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as Status).activeVersion, "v2");
    const missing = await call(`${server.url}/v1/admin/models/nope/reload`, { method: "POST" });
    assert.equal(errorOf(missing).code, "MODEL_NOT_FOUND");
  });

  it("picks up a version moved into the directory, without an admin call", async () => {
    await second.save(join(root.path, "v5-staging"));
    renameSync(join(root.path, "v5-staging"), join(modelDir, "v5"));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await status()).activeVersion !== "v5") await sleep(50);
    assert.equal((await status()).activeVersion, "v5", "the watcher loaded the new version by itself");
  });
});

async function metricsText(): Promise<string> {
  return (await call(`${server.url}/metrics`)).text;
}

function reloadFailures(text: string): number {
  const line = text
    .split("\n")
    .find((l) => l.startsWith('textkit_model_reload_failures_total{model="topics"}'));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}
