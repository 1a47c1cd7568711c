/**
 * `textkit serve` and `textkit demo --serve` as a person runs them: the real bin in a child
 * process on loopback, a key created with `textkit keys create`, predict called like curl
 * does, and SIGTERM ending the process with 0.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir, trainTopicModel } from "./server-helpers.ts";

const bin = fileURLToPath(new URL("../bin/textkit.js", import.meta.url));
const root = tempDir("cli-serve");
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Started & { ready: Promise<string> } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'serving' line within 60 s:\n${err}`)), 60_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      err += d;
      const m = / on (http:\/\/[^\s]+)/.exec(err);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before serving:\n${err}`));
    });
  });
  const started = { child, url: "", stderr: () => err, exited, ready };
  return started;
}

function runToEnd(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function predict(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/v1/models/topics/predict`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

before(async () => {
  await (await trainTopicModel(1)).save(join(root.path, "models", "topics"));
});

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  root.remove();
});

describe("textkit serve", () => {
  it("serves the models of a directory, asks for a key once one exists, and stops on SIGTERM with 0", async () => {
    const env = { TEXTKIT_DATA_DIR: join(root.path, "data") };
    const server = run(
      ["serve", "--models", join(root.path, "models"), "--port", "0", "--log-level", "silent"],
      env,
    );
    const url = await server.ready;
    const open = await predict(url, { text: "goal for the team", k: 2 });
    assert.equal(open.status, 200, JSON.stringify(open.json));
    const answer = open.json as { predictions: { labels: string[] }[] };
    assert.equal(answer.predictions[0]!.labels[0], "sport");
    assert.equal(answer.predictions[0]!.labels.length, 2);

    const created = await runToEnd(["keys", "create", "--name", "ci", "--scope", "predict"], env);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^tk_/);
    // auto mode notices the first key within a second or so.
    let refused = 0;
    for (const until = Date.now() + 5000; Date.now() < until && refused === 0; ) {
      if ((await predict(url, { text: "rain" })).status === 401) refused++;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(refused, 1, "without a key, once one exists: 401");
    const keyed = await predict(url, { text: "rain and storm" }, token);
    assert.equal(keyed.status, 200);
    const bad = await predict(url, { texts: ["wrong field"] }, token);
    assert.equal(bad.status, 400);
    assert.equal((bad.json as { error: { code: string } }).error.code, "INPUT_INVALID");

    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /draining/);
  });

  it("refuses a models directory that does not exist, with the code and exit 1", async () => {
    const r = await runToEnd(["serve", "--models", join(root.path, "nope"), "--port", "0"], {
      TEXTKIT_DATA_DIR: join(root.path, "data2"),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MODELS_DIR_NOT_FOUND/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("refuses a bad option value before starting", async () => {
    const r = await runToEnd(["serve", "--models", join(root.path, "models"), "--cors", "not a url"], {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OPTION_INVALID/);
    assert.match(r.stderr, /CORS origin/);
  });
});

describe("textkit demo --serve", () => {
  it("trains the samples, then serves them until SIGTERM", async () => {
    const out = join(root.path, "demo");
    const demo = run(["demo", "--serve", "--port", "0", "--only", "intents", "--out", out, "-q"]);
    const url = await demo.ready;
    assert.match(demo.stderr(), /curl -s/);
    const res = await fetch(`${url}/v1/models/intents/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "will it rain tomorrow", k: 1 }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { model: string; predictions: { labels: string[] }[] };
    assert.equal(body.model, "intents");
    assert.equal(body.predictions[0]!.labels[0], "weather");
    demo.child.kill("SIGTERM");
    assert.equal(await demo.exited, 0, demo.stderr());
  });
});
