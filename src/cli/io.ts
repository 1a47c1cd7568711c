/**
 * Where the command line reads and writes. `main` uses the process's streams; tests pass
 * their own, so that a command runs in-process and its output can be read back.
 */

/** The part of a writable stream the CLI uses. */
export interface CliOutput {
  write(chunk: string): boolean;
  once(event: "drain" | "error", listener: (...args: unknown[]) => void): unknown;
  removeListener(event: "drain" | "error", listener: (...args: unknown[]) => void): unknown;
  isTTY?: boolean;
  /** Width of the terminal, when the stream is one. */
  columns?: number;
}

export interface CliIo {
  /** Results: reports, JSON, JSONL predictions. */
  stdout: CliOutput;
  /** Progress, summaries and errors. */
  stderr: CliOutput;
  /** Standard input, for `predict` without `--input`. */
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  /** Environment variables (TEXTKIT_DEBUG=1 prints the stack of unexpected errors). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Set by `main` while a training command runs: records its run as finished now. A command
   * that goes on after training (`demo --serve`) calls it before it starts serving.
   */
  finishRun?: () => Promise<void>;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/**
 * Writes to a stream and, when its buffer is full, waits until it drains, so that a long
 * stream of predictions never piles up in memory. Resolves false once the stream has failed
 * (a reader such as `head` went away): the caller stops writing then.
 */
export async function writeAll(out: CliOutput, chunk: string): Promise<boolean> {
  if (out.write(chunk)) return true;
  return new Promise<boolean>((resolve) => {
    const onDrain = (): void => {
      out.removeListener("error", onError);
      resolve(true);
    };
    const onError = (): void => {
      out.removeListener("drain", onDrain);
      resolve(false);
    };
    out.once("drain", onDrain);
    out.once("error", onError);
  });
}
