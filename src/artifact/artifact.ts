/**
 * Model artifacts on disk. A model is a directory: manifest.json (plain data that says
 * what the model is and how it was made, sealed by its digest: see manifest.ts) and binary
 * weight files. Storage sees only artifacts, never model classes. This file writes them,
 * atomically; artifact-read.ts reads and verifies them, artifact-files.ts types their files.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { TextkitError } from "../core/index.ts";
import { readArtifact, readSealedManifest } from "./artifact-read.ts";
import {
  type ArtifactManifest,
  type ArtifactParts,
  type FileEntry,
  isFileName,
  MANIFEST,
  type ManifestInput,
  manifestDigest,
  manifestOf,
  PART_NAME,
  sha256,
} from "./manifest.ts";

async function writeFileSynced(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeInto(
  dir: string,
  manifest: ArtifactManifest,
  files: Record<string, Uint8Array>,
): Promise<void> {
  for (const [name, data] of Object.entries(files)) await writeFileSynced(join(dir, name), data);
  await writeFileSynced(join(dir, MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
}

/** A part with its manifest sealed, and its own parts. */
interface SealedPart {
  name: string;
  manifest: ArtifactManifest;
  files: Record<string, Uint8Array>;
  parts: SealedPart[];
}

function sealParts(parts: Record<string, ArtifactParts>, files: Record<string, Uint8Array>): SealedPart[] {
  return Object.entries(parts).map(([name, part]) => {
    if (!PART_NAME.test(name) || Object.hasOwn(files, name)) {
      throw new TextkitError("INTERNAL", `artifact part name '${name}' is not allowed`);
    }
    const inner = sealParts(part.parts ?? {}, part.files);
    const digests = Object.fromEntries(inner.map((p) => [p.name, p.manifest.digest]));
    return {
      name,
      manifest: manifestOf(part.manifest, part.files, digests),
      files: part.files,
      parts: inner,
    };
  });
}

async function writeParts(dir: string, parts: readonly SealedPart[]): Promise<void> {
  for (const part of parts) {
    await mkdir(join(dir, part.name));
    await writeParts(join(dir, part.name), part.parts);
    await writeInto(join(dir, part.name), part.manifest, part.files);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; only ESRCH means it is gone.
    return !(error instanceof Error && "code" in error && error.code === "ESRCH");
  }
}

/**
 * Removes what a killed writer of `target` left beside it: `.NAME.tmp-PID-*` folders whose
 * process is gone (a live one may still be writing, so it is left alone), and
 * `.NAME.old-PID-*` ones of a gone process once `target` itself exists again. PIDs are of
 * this machine: writers on other machines sharing the folder are not told apart.
 */
async function removeStaleTemporaries(target: string): Promise<void> {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(tmp|old)-([1-9][0-9]*)-[0-9a-f]+$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[2]);
    if (!Number.isSafeInteger(pid) || processIsAlive(pid)) continue;
    if (match[1] === "old" && !existsSync(target)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
  }
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
  const sealed = sealParts(parts, files);
  const manifest = manifestOf(
    manifestInput,
    files,
    Object.fromEntries(sealed.map((part) => [part.name, part.manifest.digest])),
  );
  await mkdir(dirname(target), { recursive: true });
  await removeStaleTemporaries(target);
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  await mkdir(temp);
  try {
    await writeParts(temp, sealed);
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

/**
 * Adds files to a sealed model directory (e.g. the configuration it was trained from): the
 * directory is copied beside itself, the files written, the top manifest extended and
 * sealed again, and the copy renamed into place. Parts are copied as they are (their
 * digests stay valid). Existing files are not replaced (ARTIFACT_CORRUPT if one is named).
 *
 * @example
 * await addArtifactFiles("models/intent", { "train-config.yaml": Buffer.from(yamlText) });
 */
export async function addArtifactFiles(
  dir: string,
  files: Record<string, Uint8Array>,
): Promise<ArtifactManifest> {
  const target = resolve(dir);
  await readArtifact(target);
  const manifest = await readSealedManifest(target);
  const entries: Record<string, FileEntry> = { ...manifest.files };
  for (const [name, data] of Object.entries(files)) {
    if (!isFileName(name) || Object.hasOwn(entries, name) || Object.hasOwn(manifest.parts ?? {}, name)) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `cannot add '${name}' to ${dir}: the name is taken or not allowed`,
        {
          file: join(dir, name),
        },
      );
    }
    entries[name] = { bytes: data.length, sha256: sha256(data) };
  }
  const { digest: _old, ...rest } = manifest;
  const unsealed = { ...rest, files: entries };
  const sealed: ArtifactManifest = {
    ...unsealed,
    digest: manifestDigest(JSON.parse(JSON.stringify(unsealed))),
  };
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  try {
    await cp(target, temp, { recursive: true });
    await writeInto(temp, sealed, files);
    const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
    await rename(target, old);
    await rename(temp, target);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return sealed;
}
