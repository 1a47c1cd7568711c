/**
 * Reading a model directory back: the manifest checked against its seal and the format,
 * the parts' digests, and every weight file's size and checksum.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { nestedDeeperThan, TextkitError } from "../core/index.ts";
import {
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  type Artifact,
  type ArtifactManifest,
  checkManifestFields,
  isPlainObject,
  MANIFEST,
  MAX_MANIFEST_DEPTH,
  manifestDigest,
  SHA256,
  sha256,
} from "./manifest.ts";

/** True when `dir` holds a manifest.json (it may still be broken: readArtifact says). */
export function looksLikeArtifact(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/**
 * Reads a model directory and verifies it: the manifest's format, version, digest (see the
 * file header) and the type of every field, the family, the digest of every part, and the
 * size and SHA-256 of every weight file. A truncated, changed or foreign artifact is refused
 * with ARTIFACT_CORRUPT / ARTIFACT_FOREIGN / ARTIFACT_VERSION, one written before manifests
 * had a digest with ARTIFACT_OUTDATED. Weight files are little-endian, so a big-endian
 * machine is refused (INTERNAL) before anything is read. What each field means for a family
 * (options in range, dimensions that match the files) its loader checks.
 */
export async function readArtifact(dir: string, expectedFamily?: string): Promise<Artifact> {
  if (endianness() !== "LE") {
    throw new TextkitError("INTERNAL", "textkit models are little-endian; this machine is not");
  }
  const manifestPath = join(dir, MANIFEST);
  const manifest = await readSealedManifest(dir);
  if (expectedFamily !== undefined && manifest.family !== expectedFamily) {
    throw new TextkitError(
      "ARTIFACT_FOREIGN",
      `${dir} holds a '${manifest.family}' model, not a '${expectedFamily}' model`,
      { file: manifestPath },
    );
  }
  for (const [name, digest] of Object.entries(manifest.parts ?? {})) {
    const partPath = join(dir, name, MANIFEST);
    let partDigest: unknown;
    try {
      partDigest = (JSON.parse(await readFile(partPath, "utf8")) as { digest?: unknown } | null)?.digest;
    } catch (cause) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `part ${name} of ${dir} is missing or its manifest is damaged`,
        {
          file: partPath,
          cause,
        },
      );
    }
    if (partDigest !== digest) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `part ${name} of ${dir} is not the one this model was saved with (its digest differs)`,
        { file: partPath },
      );
    }
  }
  const files: Record<string, Buffer> = {};
  for (const [name, entry] of Object.entries(manifest.files)) {
    const path = join(dir, name);
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
  return { dir, manifest, files };
}

/**
 * The manifest of `dir`, checked but without its files read: format, version, digest and
 * the type of every field. What readArtifact starts with; a server listing models uses it
 * to name a model's family without trusting a broken manifest.
 */
export async function readSealedManifest(dir: string): Promise<ArtifactManifest> {
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
  if (nestedDeeperThan(parsed, MAX_MANIFEST_DEPTH)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `manifest.json in ${dir} nests arrays and objects more than ${MAX_MANIFEST_DEPTH} deep; a manifest holds a few levels`,
      { file: manifestPath },
    );
  }
  if (!isPlainObject(parsed) || parsed["format"] !== ARTIFACT_FORMAT) {
    throw new TextkitError(
      "ARTIFACT_FOREIGN",
      `${dir} does not hold a textkit model (manifest format is not '${ARTIFACT_FORMAT}')`,
      { file: manifestPath },
    );
  }
  const version = parsed["formatVersion"];
  if (typeof version === "number" && version > ARTIFACT_FORMAT_VERSION) {
    throw new TextkitError(
      "ARTIFACT_VERSION",
      `model format version ${version} is newer than this textkit understands (${ARTIFACT_FORMAT_VERSION})`,
      { file: manifestPath },
    );
  }
  if (version === 1 && parsed["digest"] === undefined) {
    throw new TextkitError(
      "ARTIFACT_OUTDATED",
      `${dir} was written by an older textkit: its manifest has no digest, so a change to it could not be detected; train the model again`,
      { file: manifestPath },
    );
  }
  if (version !== ARTIFACT_FORMAT_VERSION) {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest.json in ${dir} has no valid format version`, {
      file: manifestPath,
      details: { field: "formatVersion" },
    });
  }
  const digest = parsed["digest"];
  if (typeof digest !== "string" || !SHA256.test(digest)) {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest.json in ${dir} has no valid digest`, {
      file: manifestPath,
      details: { field: "digest" },
    });
  }
  if (manifestDigest(parsed) !== digest) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `manifest.json in ${dir} was changed after it was written (its digest does not match its content)`,
      { file: manifestPath },
    );
  }
  checkManifestFields(parsed, manifestPath);
  return parsed;
}

/** Model directories directly under `root` (those with a manifest.json). */
export async function listArtifacts(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && looksLikeArtifact(join(root, e.name)))
    .map((e) => join(root, e.name))
    .sort();
}
