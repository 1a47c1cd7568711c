/**
 * npm run bench:serve [-- --seconds 10 --connections 32]
 *
 * HTTP serving on loopback, in one run on this machine, with wrk as the load generator:
 *  (a) a bare node:http hello-world (the ceiling for Node on this machine),
 *  (a') a bare fastify answering {"ok":true} (fastify's own floor), node:http predicting with
 *      the same classifier (bench/serve/http-classifier.ts: the model's cost without a
 *      framework), and a bare fastify predicting with it on the same route, with none of
 *      textkit's layers (bench/serve/fastify-bare.ts): the framework floor,
 *  (b) textkit serve predicting with a real classifier trained on CLINC150 (one text per
 *      request, and batches of 32), with one worker and with one per core,
 *  (c) the seed's stack: Flask under gunicorn (2 workers) predicting with an equivalent
 *      scikit-learn TF-IDF + logistic regression model built by bench/serve/build_sklearn.py.
 * Then textkit with 2 workers at a fixed rate of half the maximum it reached above, for the p99
 * latency target: open loop, from bench/serve/open-loop.mjs in a process of its own, latency
 * from each request's scheduled send time (coordinated omission counted), µs resolution. Prints a table with ratios and the servers' CPU per request, and writes
 * bench/results/serve-<date>.md.
 *
 * wrk runs with one thread; on a 2-core machine the load generator shares the CPU with the
 * server, for every row alike. textkit logs each request as JSON (to /dev/null), as in
 * production; the hello-world and Flask rows log nothing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dataset, loadDataset, trainClassifier } from "../src/index.ts";
import {
  BENCH_DIR,
  fmt,
  hasProgram,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  readClinc150,
  SHARED_DATA,
  today,
  writeResult,
} from "./common.ts";

const SECONDS = numberArgument("--seconds", 10);
const CONNECTIONS = numberArgument("--connections", 32);
const BATCH = 32;

async function trainingData(): Promise<{ train: Dataset; test: string[]; source: string }> {
  const clinc = join(SHARED_DATA, "clinc150", "data_full.json");
  try {
    const data = readClinc150();
    const train = data.part("train");
    return { train, test: data.texts("test"), source: "CLINC150 in-scope (150 intents)" };
  } catch {
    console.error(`${clinc} is not there; using samples/intents instead`);
    const train = await loadDataset(join(ROOT, "samples", "intents", "train.csv"));
    const test = await loadDataset(join(ROOT, "samples", "intents", "test.csv"));
    return { train, test: test.examples.map((e) => e.text), source: "samples/intents (20 intents)" };
  }
}

interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal === null) console.error(`${cmd} exited with ${code}: ${stderr.slice(-2000)}`);
  });
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

async function waitUntilUp(url: string, body: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process and each of its descendants alive now (cluster workers), in s. */
function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces; the fields after its closing parenthesis do not.
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ").pop()?.split(" ") ?? [];
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while listing
    }
  }
  let ticks = 0;
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return ticks / TICKS_PER_SECOND;
}

interface Load {
  rps: number;
  /** Server CPU (every process of it) per request, in µs; NaN where not measured. */
  cpuUs: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
}

function luaString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * wrk against `url`, cycling through `bodies`; latencies in ms. At full speed by default; with
 * `delayMs`, each connection waits that long (wrk's Lua `delay()` hook, whole milliseconds) after
 * each response before its next request, which paces the load below the maximum.
 */
function wrk(url: string, bodies: string[], work: string, delayMs = 0, seconds = SECONDS): Load {
  const script = join(work, "post.lua");
  writeFileSync(
    script,
    [
      "local bodies = {",
      ...bodies.map((b) => `  ${luaString(b)},`),
      "}",
      "local i = 0",
      'wrk.method = "POST"',
      'wrk.headers["Content-Type"] = "application/json"',
      "request = function()",
      "  i = i % #bodies + 1",
      "  return wrk.format(nil, nil, nil, bodies[i])",
      "end",
      ...(delayMs > 0 ? [`delay = function() return ${delayMs} end`] : []),
      "",
    ].join("\n"),
  );
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", script, url];
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const out = r.stdout;
  const ms = (label: string): number => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    if (m === null) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(out);
  const sockets = socketErrors === null ? 0 : socketErrors.slice(1).reduce((a, b) => a + Number(b), 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    cpuUs: Number.NaN,
    p50: ms("50"),
    p90: ms("90"),
    p99: ms("99"),
    errors: non2xx + sockets,
  };
}

/**
 * wrk paced to about `rate` requests a second: a think time per connection (whole ms) found
 * by up to four 3 s runs, then the measured run. wrk's C generator takes far less CPU than a
 * Node one, so on 2 cores it is starved less; but it is closed loop (a connection waits for
 * its answer), so a server stall delays the requests behind it instead of being counted.
 */
function pacedWrk(
  url: string,
  bodies: string[],
  work: string,
  rate: number,
): { delayMs: number; load: Load } {
  let delayMs = Math.max(1, Math.round((1000 * CONNECTIONS) / rate) - 1);
  for (let tries = 0; tries < 4; tries++) {
    const probe = wrk(url, bodies, work, delayMs, 3);
    if (probe.rps > rate * 1.1) delayMs += 1;
    else if (probe.rps < rate * 0.9 && delayMs > 1) delayMs -= 1;
    else break;
  }
  return { delayMs, load: wrk(url, bodies, work, delayMs) };
}

/** What bench/serve/open-loop.mjs prints (see there); latencies in ms. */
interface OpenLoop {
  sent: number;
  completed: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  achievedRate: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  sendLagP99Ms: number;
}

/** An open-loop run at `rate` requests a second, from a generator process of its own. */
function fixedRate(url: string, bodiesFile: string, rate: number): OpenLoop {
  const generator = join(BENCH_DIR, "serve", "open-loop.mjs");
  const args = [generator, url, String(rate), String(SECONDS), String(CONNECTIONS), bodiesFile];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`open-loop.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as OpenLoop;
}

async function main(): Promise<void> {
  if (!hasProgram("wrk")) {
    console.error("bench:serve needs wrk (apt-get install wrk)");
    process.exitCode = 1;
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-serve-"));
  const running: Running[] = [];
  try {
    const { train, test, source } = await trainingData();
    const model = await trainClassifier({ train }, { dim: 100, epochs: 25, lr: 0.5, minCount: 1 });
    await model.save(join(work, "models", "intents"));
    const texts = test.slice(0, 200);
    const single = texts.map((t) => JSON.stringify({ text: t, k: 3 }));
    const batches: string[] = [];
    for (let i = 0; i + BATCH <= texts.length; i += BATCH) {
      batches.push(JSON.stringify({ inputs: texts.slice(i, i + BATCH), k: 3 }));
    }
    const rows: (string | number)[][] = [];
    const results: Record<string, Load> = {};
    const measure = async (
      name: string,
      cmd: string,
      args: string[],
      port: number,
      bodies: string[],
      env: Record<string, string> = {},
    ): Promise<void> => {
      const url = `http://127.0.0.1:${port}/v1/models/intents/predict`;
      const r = start(cmd, args, env);
      running.push(r);
      await waitUntilUp(url, bodies[0]!);
      wrk(url, bodies, work); // warm-up run, not reported
      const pid = r.child.pid ?? 0;
      const cpuBefore = treeCpuSeconds(pid);
      const load = wrk(url, bodies, work);
      load.cpuUs = ((treeCpuSeconds(pid) - cpuBefore) * 1e6) / (load.rps * SECONDS);
      results[name] = load;
      console.error(
        `${name}: ${fmt.int(load.rps)} req/s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.cpuUs.toFixed(1)} CPU µs/req, errors ${load.errors}`,
      );
      await r.stop();
    };

    const textkit = [
      join(ROOT, "bin", "textkit.js"),
      "serve",
      "--models",
      join(work, "models"),
      "--auth",
      "off",
    ];
    const env = { TEXTKIT_DATA_DIR: join(work, "data") };
    await measure(
      "hello-world (node:http)",
      process.execPath,
      [join(BENCH_DIR, "serve", "hello.mjs"), "8090"],
      8090,
      single,
    );
    await measure(
      "bare fastify hello-world (no model)",
      process.execPath,
      ["--import", "tsx", join(BENCH_DIR, "serve", "fastify-bare.ts"), "8098", "hello"],
      8098,
      single,
    );
    await measure(
      "node:http + the same classifier (no framework)",
      process.execPath,
      [
        "--import",
        "tsx",
        join(BENCH_DIR, "serve", "http-classifier.ts"),
        "8097",
        join(work, "models", "intents"),
      ],
      8097,
      single,
    );
    await measure(
      "bare fastify + the same classifier (no textkit layers)",
      process.execPath,
      [
        "--import",
        "tsx",
        join(BENCH_DIR, "serve", "fastify-bare.ts"),
        "8096",
        join(work, "models", "intents"),
      ],
      8096,
      single,
    );
    await measure(
      "textkit, 1 worker, 1 text",
      process.execPath,
      [...textkit, "--port", "8091"],
      8091,
      single,
      env,
    );
    await measure(
      "textkit, 1 worker, 1 text, fast path off (TEXTKIT_FAST_PATH=0)",
      process.execPath,
      [...textkit, "--port", "8099"],
      8099,
      single,
      { ...env, TEXTKIT_FAST_PATH: "0" },
    );
    await measure(
      `textkit, 1 worker, batch of ${BATCH}`,
      process.execPath,
      [...textkit, "--port", "8092"],
      8092,
      batches,
      env,
    );
    await measure(
      "textkit, 2 workers, 1 text",
      process.execPath,
      [...textkit, "--port", "8093", "--workers", "2"],
      8093,
      single,
      env,
    );

    const python = "/usr/bin/python3";
    if (hasProgram("gunicorn") && spawnSync(python, ["-c", "import flask, sklearn"]).status === 0) {
      writeFileSync(
        join(work, "train.tsv"),
        train.examples.map((e) => `${e.labels[0]}\t${e.text.replace(/[\t\n]/g, " ")}`).join("\n"),
      );
      const built = spawnSync(
        python,
        [join(BENCH_DIR, "serve", "build_sklearn.py"), join(work, "train.tsv"), join(work, "model.pkl")],
        { stdio: "inherit" },
      );
      if (built.status !== 0) throw new Error("build_sklearn.py failed");
      await measure(
        "Flask + gunicorn (2 workers), scikit-learn",
        "gunicorn",
        [
          "-w",
          "2",
          "-b",
          "127.0.0.1:8094",
          "--chdir",
          join(BENCH_DIR, "serve"),
          "--log-level",
          "warning",
          "flask_app:app",
        ],
        8094,
        single,
        { SKLEARN_MODEL: join(work, "model.pkl") },
      );
    } else {
      console.error(
        "skip Flask + gunicorn: needs gunicorn, python3-flask and python3-sklearn (apt-get install gunicorn python3-flask python3-sklearn)",
      );
    }

    // p99 at half of the 2-worker maximum measured above, one text per request.
    const best = results["textkit, 2 workers, 1 text"]!;
    const half = Math.round(best.rps / 2);
    const r = start(process.execPath, [...textkit, "--port", "8095", "--workers", "2"], env);
    running.push(r);
    const url = `http://127.0.0.1:8095/v1/models/intents/predict`;
    await waitUntilUp(url, single[0]!);
    const bodiesFile = join(work, "bodies.json");
    writeFileSync(bodiesFile, JSON.stringify(single));
    fixedRate(url, bodiesFile, half); // warm-up run, not reported
    const steady = fixedRate(url, bodiesFile, half);
    const paced = pacedWrk(url, single, work, half);
    await r.stop();
    console.error(`fixed rate ${half}: ${JSON.stringify(steady)}`);

    const ceiling = results["hello-world (node:http)"]!.rps;
    const flask = results["Flask + gunicorn (2 workers), scikit-learn"]?.rps ?? Number.NaN;
    for (const [name, load] of Object.entries(results)) {
      const docs = name.includes("batch") ? load.rps * BATCH : load.rps;
      rows.push([
        name,
        fmt.int(load.rps),
        fmt.int(docs),
        load.p50.toFixed(2),
        load.p99.toFixed(2),
        load.cpuUs.toFixed(1),
        load.errors,
        fmt.ratio(load.rps / ceiling),
        fmt.ratio(load.rps / flask),
      ]);
    }
    const fixedRows = [
      [
        `textkit, 2 workers, 1 text, fixed ${fmt.int(half)} req/s (half its maximum)`,
        fmt.int(steady.achievedRate),
        steady.p50Ms.toFixed(3),
        steady.p90Ms.toFixed(3),
        steady.p99Ms.toFixed(3),
        steady.maxMs.toFixed(3),
        steady.sendLagP99Ms.toFixed(3),
        steady.non2xx + steady.errors + steady.timeouts,
      ],
      [
        `textkit, 2 workers, 1 text, wrk paced near ${fmt.int(half)} req/s (${CONNECTIONS} connections, ${paced.delayMs} ms think time)`,
        fmt.int(paced.load.rps),
        paced.load.p50.toFixed(3),
        paced.load.p90.toFixed(3),
        paced.load.p99.toFixed(3),
        "",
        "",
        paced.load.errors,
      ],
    ];
    const body = [
      `# bench:serve, ${today()}`,
      "",
      `Machine: ${machine()}. Load: wrk, 1 thread, ${CONNECTIONS} connections, ${SECONDS} s after a ${SECONDS} s warm-up, on loopback; the generator shares the 2 cores with the server.`,
      "Server CPU µs/req: utime + stime of the server's processes (workers included) over the measured run, divided by its requests; it depends less on the load of the machine than req/s.",
      `Model: textkit classifier trained on ${source} (dim 100, 25 epochs); Flask serves TF-IDF (1-2 grams) + logistic regression trained on the same texts. Each request: one test text with k=3 (or ${BATCH} texts for the batch row).`,
      "",
      markdownTable(
        [
          "server",
          "req/s",
          "texts/s",
          "p50 ms",
          "p99 ms",
          "server CPU µs/req",
          "errors",
          "vs hello-world",
          "vs Flask",
        ],
        rows,
      ),
      "",
      `Fixed rate: bench/serve/open-loop.mjs, a generator process of its own (raw keep-alive sockets, ${CONNECTIONS} connections), sends request i at start + i / rate, ${SECONDS} s after a 1 s warm-up in the same run and a whole warm-up run before; latency runs from the scheduled send time to the end of the response, so a queue (in the server or the generator) is counted. Send lag p99: how late requests went out on a socket, the generator's own share of the latency. (This row replaces autocannon's overallRate inside the bench's own process, which shared its event loop and cores, reported whole milliseconds and read 11.00 ms in every run.) The wrk paced row: the same server, wrk (1 thread, C) with a think time per connection (its Lua delay hook, whole milliseconds) chosen so that it sends about half the maximum; closed loop, so a stall of the server delays the requests behind it rather than being counted, but its generator takes far less CPU than a Node one on the 2 shared cores (send lag above).`,
      "",
      markdownTable(
        ["server", "achieved req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "send lag p99 ms", "errors"],
        fixedRows,
      ),
      "",
    ].join("\n");
    console.log(body);
    console.error(`written to ${writeResult("serve", body)}`);
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
