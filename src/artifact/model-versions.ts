/**
 * How a models directory holds versions of one model: `<models>/<name>/` is the model
 * itself, or `<models>/<name>/<version>/` are several, the newest active unless a file
 * named ACTIVE in `<models>/<name>/` names another. The server's registry and the command
 * line both choose by these rules.
 */

import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** The file that pins the active version of a model with several. */
export const PIN_FILE = "ACTIVE";

const collator = new Intl.Collator("en", { numeric: true });

/**
 * Versions compare numeric-aware, so v10 comes after v9 and ISO dates sort by time.
 *
 * @example
 * ["v10", "v9"].sort(compareVersions); // ["v9", "v10"]
 */
export function compareVersions(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The manifest file whose presence makes a directory an artifact. */
const MANIFEST_FILE = "manifest.json";

/** A model's name: a folder of the models directory (at most 100 characters: fastify refuses longer path parameters). */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** A version's name: a folder of a model's folder. Names starting with a dot are never versions. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,99}$/;

/** One version folder of a model with several. */
export interface ModelVersionDir {
  version: string;
  dir: string;
}

/**
 * How a model's folder holds it: the artifact itself ("single"), or version folders
 * ascending by `compareVersions`, with the version an ACTIVE file pins, if any.
 */
export type ModelLayout =
  | { layout: "single"; dir: string }
  | { layout: "versions"; versions: ModelVersionDir[]; pinned: string | null };

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Reads how `dir` holds a model; null when it holds none (no manifest.json, and no version
 * folder with one). A version folder's name matches VERSION_PATTERN (so no dot-folder is a
 * version), it is a directory or a symbolic link to one, and it has a manifest.json (a
 * folder still being copied in has none yet and is not a version).
 *
 * @example
 * const layout = await readModelLayout("models/intent");
 * if (layout?.layout === "versions") layout.versions.map((v) => v.version); // ["v1", "v2", "v10"]
 */
export async function readModelLayout(dir: string): Promise<ModelLayout | null> {
  if (await exists(join(dir, MANIFEST_FILE))) return { layout: "single", dir };
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  const versions: ModelVersionDir[] = [];
  for (const entry of entries) {
    if (!VERSION_PATTERN.test(entry.name)) continue;
    const versionDir = join(dir, entry.name);
    if (!(entry.isDirectory() || (entry.isSymbolicLink() && (await isDirectory(versionDir))))) continue;
    if (!(await exists(join(versionDir, MANIFEST_FILE)))) continue;
    versions.push({ version: entry.name, dir: versionDir });
  }
  if (versions.length === 0) return null;
  versions.sort((a, b) => compareVersions(a.version, b.version));
  let pinned: string | null = null;
  try {
    const text = (await readFile(join(dir, PIN_FILE), "utf8")).trim();
    pinned = text.length > 0 ? text : null;
  } catch {
    pinned = null;
  }
  return { layout: "versions", versions, pinned };
}

/**
 * Versions in the order to try them as the active one: the pinned version when it is one of
 * them, then newest first. `versions` ascend by `compareVersions`.
 *
 * @example
 * versionPreference([{ version: "v1" }, { version: "v2" }, { version: "v3" }], "v1");
 * // [v1, v3, v2]
 */
export function versionPreference<T extends { version: string }>(
  versions: readonly T[],
  pinned: string | null,
): T[] {
  const order = [...versions].reverse();
  const i = pinned === null ? -1 : order.findIndex((v) => v.version === pinned);
  if (i <= 0) return order;
  const [first] = order.splice(i, 1);
  return first === undefined ? order : [first, ...order];
}

/**
 * The folder of a model's active version by the rules the server's registry follows: the
 * artifact itself, else the pinned version, else the newest; null when `dir` holds no model.
 * (The registry goes on to the next version when one does not load; a caller without that
 * fallback loads this one and reports its error.)
 *
 * @example
 * await activeVersionDir("models/intent"); // "models/intent/v3"
 */
export async function activeVersionDir(dir: string): Promise<string | null> {
  const layout = await readModelLayout(dir);
  if (layout === null) return null;
  if (layout.layout === "single") return layout.dir;
  return versionPreference(layout.versions, layout.pinned)[0]?.dir ?? null;
}
