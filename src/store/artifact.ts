/**
 * Model artifacts on disk. A model is a directory: manifest.json (plain data that says
 * what the model is and how it was made) and binary weight files. Storage sees only
 * artifacts, never model classes.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { TextkitError } from "../core/errors.ts";

export const ARTIFACT_FORMAT = "textkit-model";
export const ARTIFACT_FORMAT_VERSION = 1;
const MANIFEST = "manifest.json";

export interface FileEntry {
  bytes: number;
  sha256: string;
}

export interface ArtifactManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  family: string;
  task: string;
  labels?: string[];
  options: Record<string, unknown>;
  data?: { fingerprint: string; examples: number; source?: string };
  metrics?: Record<string, unknown>;
  createdAt: string;
  textkitVersion: string;
  files: Record<string, FileEntry>;
}

export type ManifestInput = Omit<ArtifactManifest, "format" | "formatVersion" | "files" | "createdAt"> & {
  createdAt?: string;
};

export interface Artifact {
  dir: string;
  manifest: ArtifactManifest;
  files: Record<string, Buffer>;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function writeFileSynced(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A whole artifact in memory: what `writeArtifact` writes. */
export interface ArtifactParts {
  manifest: ManifestInput;
  files: Record<string, Uint8Array>;
}

const PART_NAME = /^[a-z0-9][a-z0-9._-]*$/;

function manifestOf(manifestInput: ManifestInput, files: Record<string, Uint8Array>): ArtifactManifest {
  for (const name of Object.keys(files)) {
    if (name === MANIFEST || name !== basename(name) || name.startsWith(".")) {
      throw new TextkitError("INTERNAL", `artifact file name '${name}' is not allowed`);
    }
  }
  const entries: Record<string, FileEntry> = {};
  for (const [name, data] of Object.entries(files))
    entries[name] = { bytes: data.byteLength, sha256: sha256(data) };
  return {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    ...manifestInput,
    createdAt: manifestInput.createdAt ?? new Date().toISOString(),
    files: entries,
  };
}

async function writeInto(
  dir: string,
  manifest: ArtifactManifest,
  files: Record<string, Uint8Array>,
): Promise<void> {
  for (const [name, data] of Object.entries(files)) await writeFileSynced(join(dir, name), data);
  await writeFileSynced(join(dir, MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

/**
 * Writes a model directory atomically: everything goes to a sibling temporary directory,
 * each file is fsynced, then the directory is renamed into place. An existing model at
 * `dir` is replaced only once the new one is complete. `parts` are whole artifacts kept in
 * sub-directories of that name (a model made of models, such as an assistant's intent
 * classifier and indexes); they are written in the same rename, each with its own manifest.
 *
 * @example
 * await writeArtifact("models/intent", { family: "classifier", task: "multiclass", options: {}, textkitVersion: "0.1.0" },
 *   { "input.bin": new Uint8Array(16) });
 */
export async function writeArtifact(
  dir: string,
  manifestInput: ManifestInput,
  files: Record<string, Uint8Array>,
  parts: Record<string, ArtifactParts> = {},
): Promise<ArtifactManifest> {
  const target = resolve(dir);
  const manifest = manifestOf(manifestInput, files);
  const partManifests = Object.entries(parts).map(([name, part]) => {
    if (!PART_NAME.test(name) || Object.hasOwn(files, name)) {
      throw new TextkitError("INTERNAL", `artifact part name '${name}' is not allowed`);
    }
    return [name, manifestOf(part.manifest, part.files), part.files] as const;
  });
  await mkdir(dirname(target), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  await mkdir(temp);
  try {
    for (const [name, partManifest, partFiles] of partManifests) {
      await mkdir(join(temp, name));
      await writeInto(join(temp, name), partManifest, partFiles);
    }
    await writeInto(temp, manifest, files);
    if (existsSync(target)) {
      const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}

/** True when `dir` holds a manifest.json (it may still be broken: readArtifact says). */
export function looksLikeArtifact(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/**
 * Reads a model directory and verifies it: the manifest's format, version and family,
 * and the size and SHA-256 of every weight file. A truncated or foreign artifact is
 * refused with ARTIFACT_CORRUPT / ARTIFACT_FOREIGN / ARTIFACT_VERSION. Weight files are
 * little-endian, so a big-endian machine is refused (INTERNAL) before anything is read.
 */
export async function readArtifact(dir: string, expectedFamily?: string): Promise<Artifact> {
  if (endianness() !== "LE") {
    throw new TextkitError("INTERNAL", "textkit models are little-endian; this machine is not");
  }
  const manifestPath = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch {
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    throw new TextkitError(
      "ARTIFACT_NOT_FOUND",
      isDir
        ? `no manifest.json in ${dir}: not a textkit model directory`
        : `model directory ${dir} does not exist`,
      { file: dir },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest.json in ${dir} is not valid JSON (truncated?)`, {
      file: manifestPath,
      cause,
    });
  }
  const manifest = parsed as Partial<ArtifactManifest> | null;
  if (manifest === null || typeof manifest !== "object" || manifest.format !== ARTIFACT_FORMAT) {
    throw new TextkitError(
      "ARTIFACT_FOREIGN",
      `${dir} does not hold a textkit model (manifest format is not '${ARTIFACT_FORMAT}')`,
      {
        file: manifestPath,
      },
    );
  }
  if (typeof manifest.formatVersion !== "number" || manifest.formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new TextkitError(
      "ARTIFACT_VERSION",
      `model format version ${String(manifest.formatVersion)} is newer than this textkit understands (${ARTIFACT_FORMAT_VERSION})`,
      { file: manifestPath },
    );
  }
  if (expectedFamily !== undefined && manifest.family !== expectedFamily) {
    throw new TextkitError(
      "ARTIFACT_FOREIGN",
      `${dir} holds a '${String(manifest.family)}' model, not a '${expectedFamily}' model`,
      { file: manifestPath },
    );
  }
  if (manifest.files === null || typeof manifest.files !== "object") {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest.json in ${dir} lists no files`, {
      file: manifestPath,
    });
  }
  const files: Record<string, Buffer> = {};
  for (const [name, entry] of Object.entries(manifest.files)) {
    const path = join(dir, basename(name));
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (cause) {
      throw new TextkitError("ARTIFACT_CORRUPT", `model file ${name} is missing from ${dir}`, {
        file: path,
        cause,
      });
    }
    if (data.byteLength !== entry.bytes) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `model file ${name} has ${data.byteLength} bytes, the manifest says ${entry.bytes} (truncated or changed)`,
        { file: path },
      );
    }
    if (sha256(data) !== entry.sha256) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `model file ${name} does not match its checksum (changed or damaged)`,
        {
          file: path,
        },
      );
    }
    files[name] = data;
  }
  return { dir, manifest: manifest as ArtifactManifest, files };
}

/**
 * A file of a verified artifact that its model cannot do without; ARTIFACT_CORRUPT when
 * the manifest does not list it.
 *
 * @example
 * const weights = float32FromBuffer(artifactFile(await readArtifact(dir, "classifier"), "weights.f32"));
 */
export function artifactFile(artifact: Artifact, name: string): Buffer {
  const data = artifact.files[name];
  if (data === undefined) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `model file ${name} is not listed in the manifest of ${artifact.dir}`,
      { file: artifact.dir },
    );
  }
  return data;
}

/** Model directories directly under `root` (those with a manifest.json). */
export async function listArtifacts(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && looksLikeArtifact(join(root, e.name)))
    .map((e) => join(root, e.name))
    .sort();
}

/** A typed view of a little-endian binary file; copies so the view is aligned. */
export function float32FromBuffer(data: Buffer): Float32Array {
  const out = new Float32Array(data.byteLength / 4);
  new Uint8Array(out.buffer).set(data);
  return out;
}

export function int32FromBuffer(data: Buffer): Int32Array {
  const out = new Int32Array(data.byteLength / 4);
  new Uint8Array(out.buffer).set(data);
  return out;
}

export function bytesOf(array: Float32Array | Int32Array | Uint8Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
