/**
 * The manifest of a model artifact: what a model directory says it is, and its seal.
 *
 * A model must never load wrong, so the manifest seals itself: `digest` is the SHA-256 of
 * its canonical form (keys sorted, no whitespace, the digest left out), and that form holds
 * the size and SHA-256 of every file and the digest of every part. Any change to a label,
 * an option or a checksum, down to one bit, breaks the seal. The digest guards against
 * damage and hand edits, not against someone who rewrites it on purpose: it is no signature.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { TextkitError } from "../core/index.ts";

export const ARTIFACT_FORMAT = "textkit-model";
/** 2: the manifest carries `digest` (and `parts`); version 1 manifests had no seal. */
export const ARTIFACT_FORMAT_VERSION = 2;
export const MANIFEST = "manifest.json";

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
  /** Digest of each part's manifest (sub-directory name -> digest), when the artifact has parts. */
  parts?: Record<string, string>;
  /** SHA-256 of the canonical manifest without this field; see the file header. */
  digest: string;
}

export type ManifestInput = Omit<
  ArtifactManifest,
  "format" | "formatVersion" | "files" | "createdAt" | "parts" | "digest"
> & {
  createdAt?: string;
};

export interface Artifact {
  dir: string;
  manifest: ArtifactManifest;
  files: Record<string, Buffer>;
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A whole artifact in memory: what `writeArtifact` writes. */
export interface ArtifactParts {
  manifest: ManifestInput;
  files: Record<string, Uint8Array>;
  /** Parts of this part (an assistant's intent head with its bundled encoder), written below it. */
  parts?: Record<string, ArtifactParts>;
}

export const PART_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Deepest nesting a manifest may have: its options and metrics nest a few levels; deeper is
 * damage, and the canonical form below would overflow the stack walking it.
 */
export const MAX_MANIFEST_DEPTH = 32;

/** JSON with object keys sorted at every depth and no whitespace: the form the digest covers. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const fields = keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(Reflect.get(value, key))}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The digest a manifest must carry: SHA-256 of its canonical form without `digest`. Give it
 * the parsed manifest (plain JSON data).
 *
 * @example
 * const manifest = JSON.parse(readFileSync("models/intent/manifest.json", "utf8"));
 * manifestDigest(manifest) === manifest.digest; // true unless it was changed
 */
export function manifestDigest(manifest: Record<string, unknown>): string {
  const { digest: _digest, ...rest } = manifest;
  return sha256(Buffer.from(canonicalJson(rest), "utf8"));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function manifestOf(
  manifestInput: ManifestInput,
  files: Record<string, Uint8Array>,
  parts: Record<string, string> = {},
): ArtifactManifest {
  for (const name of Object.keys(files)) {
    if (!isFileName(name)) {
      throw new TextkitError("INTERNAL", `artifact file name '${name}' is not allowed`);
    }
  }
  const entries: Record<string, FileEntry> = {};
  for (const [name, data] of Object.entries(files))
    entries[name] = { bytes: data.byteLength, sha256: sha256(data) };
  const unsealed: Omit<ArtifactManifest, "digest"> = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    ...manifestInput,
    createdAt: manifestInput.createdAt ?? new Date().toISOString(),
    files: entries,
    ...(Object.keys(parts).length === 0 ? {} : { parts }),
  };
  // What is sealed is what a reader parses back: JSON drops undefined and writes NaN as null.
  const plain: unknown = JSON.parse(JSON.stringify(unsealed));
  if (!isPlainObject(plain)) throw new TextkitError("INTERNAL", "a manifest must be a JSON object");
  return { ...unsealed, digest: manifestDigest(plain) };
}

export function isFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== MANIFEST &&
    name === basename(name) &&
    !name.startsWith(".") &&
    !name.includes("\\")
  );
}

export const SHA256 = /^[0-9a-f]{64}$/;

/** Throws ARTIFACT_CORRUPT, naming the field, unless every field has the type the format says. */
export function checkManifestFields(
  m: Record<string, unknown>,
  file: string,
): asserts m is Record<string, unknown> & ArtifactManifest {
  const bad = (field: string, what: string): never => {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest field '${field}' ${what}`, {
      file,
      details: { field },
    });
  };
  for (const field of ["family", "task", "createdAt", "textkitVersion"]) {
    const value = m[field];
    if (typeof value !== "string" || value.length === 0) bad(field, "must be a non-empty string");
  }
  if (!isPlainObject(m["options"])) bad("options", "must be an object");
  for (const field of ["data", "metrics"]) {
    if (m[field] !== undefined && !isPlainObject(m[field])) bad(field, "must be an object when present");
  }
  const labels = m["labels"];
  if (labels !== undefined) {
    if (!Array.isArray(labels)) bad("labels", "must be a list of label names");
    const list = labels as unknown[];
    if (list.some((label) => typeof label !== "string" || label.length === 0))
      bad("labels", "must hold non-empty strings only");
    if (new Set(list).size !== list.length) bad("labels", "names a label twice");
  }
  const files = m["files"];
  if (!isPlainObject(files)) bad("files", "must be an object of file name -> { bytes, sha256 }");
  for (const [name, entry] of Object.entries(files as Record<string, unknown>)) {
    if (!isFileName(name)) bad(`files.${name}`, "is not a file name inside the model directory");
    if (
      !isPlainObject(entry) ||
      !Number.isSafeInteger(entry["bytes"]) ||
      (entry["bytes"] as number) < 0 ||
      typeof entry["sha256"] !== "string" ||
      !SHA256.test(entry["sha256"])
    ) {
      bad(`files.${name}`, "must be { bytes: a whole number, sha256: 64 hex digits }");
    }
  }
  const parts = m["parts"];
  if (parts !== undefined) {
    if (!isPlainObject(parts)) bad("parts", "must be an object of part name -> digest");
    for (const [name, digest] of Object.entries(parts as Record<string, unknown>)) {
      if (!PART_NAME.test(name) || Object.hasOwn(files as Record<string, unknown>, name))
        bad(`parts.${name}`, "is not a part name");
      if (typeof digest !== "string" || !SHA256.test(digest)) bad(`parts.${name}`, "must be 64 hex digits");
    }
  }
}
