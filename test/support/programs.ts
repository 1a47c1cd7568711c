/**
 * Peer programs some tests compare textkit with (Debian's `fasttext`). Missing, those tests
 * are skipped with a message, unless the named environment variable is 1: then a missing
 * program fails the suite, as CI wants (.ci/run installs them and sets the variables).
 */
import { spawnSync } from "node:child_process";

/**
 * True when `program` runs; throws when it does not and `requireVariable` is set to 1.
 *
 * @example
 * const available = requireProgram("fasttext", "TEXTKIT_REQUIRE_FASTTEXT");
 */
export function requireProgram(program: string, requireVariable: string): boolean {
  const run = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
  if (run.status === 0) return true;
  if (process.env[requireVariable] === "1") {
    throw new Error(
      `${requireVariable}=1 but '${program}' is not installed; install it with: apt-get install -y ${program}`,
    );
  }
  return false;
}
