/**
 * What the registry reads from the models directory: a model's layout and versions, each
 * with a fingerprint of its files and its manifest (parsed again only when the fingerprint
 * changes). Nothing here loads a model.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactManifest, readModelLayout, VERSION_PATTERN } from "../artifact/index.ts";
import type { ModelStatus } from "./served-model.ts";

/** Every artifact has one: a folder with it is a model (or a version of one). */
export const MANIFEST = "manifest.json";

/** One version of a model as found on disk. */
export interface DiskVersion {
  version: string;
  dir: string;
  /** Names, sizes, mtimes and inodes of the files: a changed or replaced artifact changes it. */
  fingerprint: string;
  manifest: ArtifactManifest | null;
}

/** One model folder as found on disk. */
export interface DiskModel {
  layout: ModelStatus["layout"];
  /** Ascending by version (numeric-aware). */
  versions: DiskVersion[];
  pinned: string | null;
}

/** Version folder -> its manifest as last read, with the fingerprint it was read at. */
export type ManifestCache = Map<string, { fingerprint: string; manifest: ArtifactManifest | null }>;

async function fingerprintOf(dir: string): Promise<string | null> {
  try {
    const names = (await readdir(dir)).sort();
    const parts: string[] = [];
    for (const name of names) {
      const s = await stat(join(dir, name));
      parts.push(`${name}:${s.size}:${s.mtimeMs}:${s.ino}`);
    }
    return parts.join("|");
  } catch {
    return null;
  }
}

async function readManifest(dir: string): Promise<ArtifactManifest | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, MANIFEST), "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    return parsed as ArtifactManifest;
  } catch {
    return null;
  }
}

/** Whether `path` is a directory (following a symbolic link); false when it cannot be read. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The model in `dir` with its versions, or null when it holds no artifact. */
export async function readModelDir(dir: string, cache: ManifestCache): Promise<DiskModel | null> {
  const layout = await readModelLayout(dir);
  if (layout === null) return null;
  if (layout.layout === "single") {
    const v = await readVersion(dir, null, cache);
    return v === null ? null : { layout: "single", versions: [v], pinned: null };
  }
  const versions: DiskVersion[] = [];
  for (const { version, dir: versionDir } of layout.versions) {
    const v = await readVersion(versionDir, version, cache);
    if (v !== null) versions.push(v);
  }
  return versions.length === 0 ? null : { layout: "versions", versions, pinned: layout.pinned };
}

async function readVersion(
  dir: string,
  name: string | null,
  cache: ManifestCache,
): Promise<DiskVersion | null> {
  const fingerprint = await fingerprintOf(dir);
  if (fingerprint === null) return null;
  let cached = cache.get(dir);
  if (cached === undefined || cached.fingerprint !== fingerprint) {
    cached = { fingerprint, manifest: await readManifest(dir) };
    cache.set(dir, cached);
  }
  const manifest = cached.manifest;
  let version = name;
  if (version === null) {
    // One artifact per model: its creation time names the version, so a re-save is a new one.
    const created = typeof manifest?.createdAt === "string" ? manifest.createdAt : null;
    version =
      created !== null && VERSION_PATTERN.test(created)
        ? created
        : new Date((await stat(dir)).mtimeMs).toISOString();
  }
  return { version, dir, fingerprint, manifest };
}
