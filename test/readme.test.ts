/**
 * Runs every `npx textkit ...` command of README.md's shell blocks, in the order they are
 * written, in a scratch directory where `samples/` is the repository's: a README example
 * that names a file that does not ship, a flag that is gone or output that fails stops
 * here (issue 15 item 17). The commands run in-process through `main`.
 *
 * `serve` runs until stopped: each `serve` line starts the real command line (bin/textkit.js)
 * as a child process on a free loopback port, waits until /readyz says ready and the models
 * it names are listed, then stops it with SIGTERM and expects a clean exit. Left out: lines
 * that are not textkit commands (npm, curl). One bound: `classify autotune --duration 300` is
 * a wall-clock budget, so it runs with --duration 3.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";
import { freePort } from "./support/free-port.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs a README `serve` line as a child process on a free port, waits until it is ready and
 * has loaded models, then stops it with SIGTERM and expects exit code 0.
 */
async function serveOnce(args: string[], cwd: string, home: string): Promise<void> {
  const port = await freePort();
  // The keys the README's `keys create` wrote live under HOME, as for the in-process runs.
  const { TEXTKIT_DATA_DIR: _dataDir, ...environment } = process.env;
  const at = args.indexOf("--port");
  const withPort =
    at >= 0 ? args.map((a, i) => (i === at + 1 ? String(port) : a)) : [...args, "--port", String(port)];
  const child = spawn(process.execPath, [join(ROOT, "bin", "textkit.js"), ...withPort], {
    cwd,
    env: { ...environment, HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 120_000;
    let ready = false;
    while (!ready && child.exitCode === null && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        ready = res.status === 200;
      } catch {
        // not listening yet
      }
      if (!ready) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(ready, `serve never became ready:\n${output}`);
    const status: unknown = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json());
    assert.ok(
      typeof status === "object" && status !== null && "models" in status && Number(status.models) > 0,
      `serve loaded no model: ${JSON.stringify(status)}`,
    );
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
  }
  const code = await exited;
  assert.equal(code, 0, `serve did not exit cleanly on SIGTERM:\n${output}`);
}

interface ReadmeCommand {
  /** The line as the README writes it. */
  line: string;
  args: string[];
  /** What `echo '...' |` pipes in. */
  stdin?: string;
}

/** Splits a command line into words the way sh does for quotes (no expansions). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      assert.ok(end > i, `unclosed quote in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "#" && word === null) {
      break;
    } else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** The textkit commands of README.md's ```sh blocks, continuation lines joined. */
function readmeCommands(): ReadmeCommand[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const commands: ReadmeCommand[] = [];
  for (const block of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const lines = block[1]!.replace(/\\\n\s*/g, " ").split("\n");
    for (const raw of lines) {
      const line = raw.trim();
      const piped = /^echo ('[^']*'|"[^"]*") \| npx textkit (.*)$/.exec(line);
      const captured = /^[A-Z_]+=\$\(npx textkit (.*)\)$/.exec(line);
      const plain = /^npx textkit (.*)$/.exec(line);
      if (piped !== null) {
        commands.push({ line, args: shellWords(piped[2]!), stdin: `${shellWords(piped[1]!)[0]!}\n` });
      } else if (captured !== null) commands.push({ line, args: shellWords(captured[1]!) });
      else if (plain !== null) commands.push({ line, args: shellWords(plain[1]!) });
      else assert.doesNotMatch(line, /textkit/, `a README line this test does not know how to run: ${line}`);
    }
  }
  return commands;
}

describe("README.md", () => {
  const commands = readmeCommands();

  it("has textkit commands for every area it describes", () => {
    const areas = new Set(commands.map((c) => c.args[0]));
    for (const area of ["classify", "vectors", "tag", "cluster", "keys", "monitor", "assist", "search"]) {
      assert.ok(areas.has(area), `no '${area}' command found`);
    }
    for (const area of ["regress", "forecast", "recommend", "serve"]) assert.ok(areas.has(area), area);
  });

  it("splits words as the shell does", () => {
    assert.deepEqual(shellWords(`search query --index m "how do I" 'a b' x # comment`), [
      "search",
      "query",
      "--index",
      "m",
      "how do I",
      "a b",
      "x",
    ]);
  });

  describe("each command runs, in order, from a directory holding samples/", () => {
    const scratch = scratchFiles("readme");
    symlinkSync(join(ROOT, "samples"), join(scratch.path, "samples"), "dir");
    // The monitor's worker threads inherit this process's `--import tsx`, which resolves from
    // the working directory.
    symlinkSync(join(ROOT, "node_modules"), join(scratch.path, "node_modules"), "dir");
    const home = join(scratch.path, "home");
    mkdirSync(home);
    for (const command of commands) {
      it(command.line, async () => {
        if (command.args[0] === "serve") {
          await serveOnce(command.args, scratch.path, home);
          return;
        }
        const args = command.args.map((arg, i) => (command.args[i - 1] === "--duration" ? "3" : arg));
        const cwd = process.cwd();
        process.chdir(scratch.path);
        try {
          const result = await runCli(args, {
            env: { HOME: home },
            ...(command.stdin === undefined ? {} : { stdin: Readable.from([command.stdin]) }),
          });
          assert.equal(result.code, 0, `exit ${result.code}\n${result.stderr}`);
          assert.doesNotMatch(result.stderr, /^error:/m);
          const output = result.stdout + result.stderr;
          assert.ok(output.trim().length > 0, "printed nothing");
        } finally {
          process.chdir(cwd);
        }
      });
    }
  });
});
