/**
 * Checks made on output paths before any work starts, so that a long training run never
 * ends in a refusal to write, and never replaces a directory that holds something else.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { looksLikeArtifact } from "../artifact/index.ts";
import { TextkitError } from "../core/index.ts";

/**
 * Refuses a model output directory that exists and holds anything but a textkit model:
 * saving replaces the directory as a whole. Returns true when a model is there already.
 *
 * @example
 * const replacing = checkModelOutput("models/intent", "--out");
 */
export function checkModelOutput(dir: string, flag: string): boolean {
  if (!existsSync(dir)) return false;
  if (!statSync(dir).isDirectory()) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${flag} ${dir} is a file; a model is a directory, give a new path`,
      {
        file: dir,
      },
    );
  }
  if (looksLikeArtifact(dir)) return true;
  if (readdirSync(dir).length === 0) return false;
  throw new TextkitError(
    "OPTION_INVALID",
    `${flag} ${dir} is a directory that holds files but no textkit model; saving would replace it as a whole, so give a new or empty directory`,
    { file: dir },
  );
}

/**
 * Refuses an output file path that names a directory.
 *
 * @example
 * checkFileOutput("vectors/en.vec", "--out");
 */
export function checkFileOutput(path: string, flag: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new TextkitError("OPTION_INVALID", `${flag} ${path} is a directory; give the path of a file`, {
      file: path,
    });
  }
}
