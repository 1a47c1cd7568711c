/**
 * `textkit serve` as a child process, for tests and benchmarks that need a real server process
 * (kill -9, several consumers): resolves once the server has printed the address it listens on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "textkit.js");

/**
 * Starts `textkit serve ARGS`; rejects when no "on http://" line reaches standard error within
 * `timeoutMs`, with what it printed.
 *
 * @example
 * const child = await spawnServe(["--models", dir, "--port", "0"], 30_000);
 */
export async function spawnServe(args: string[], timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "serve", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no server address in ${timeoutMs / 1000} s: ${err}`)),
      timeoutMs,
    );
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString("utf8");
      if (/on http:\/\//.test(err)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}
