/**
 * Runs the `textkit` command line in-process with captured output, for the CLI tests.
 */
import { Readable } from "node:stream";
import type { CliIo } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";

/** A stream that keeps what is written. */
export class Capture {
  text = "";
  isTTY = false;
  /** Wide, so that help lines do not wrap. */
  columns = 300;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  once(): this {
    return this;
  }
  removeListener(): this {
    return this;
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `main(args)` with empty stdin and environment unless `io` gives them. */
export async function runCli(args: string[], io: Partial<CliIo> = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  // Runs are recorded only where a test asks (TEXTKIT_RUNS_DB or --runs-db), never in the real ~/.textkit.
  const code = await main(args, {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: { TEXTKIT_RUNS_DB: "off" },
    ...io,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
