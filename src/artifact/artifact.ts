/**
 * Model artifacts on disk. A model is a directory: manifest.json (plain data that says
 * what the model is and how it was made) and binary weight files. Storage sees only
 * artifacts, never model classes.
 *
 * A model must never load wrong, so the manifest seals itself: `digest` is the SHA-256 of
 * its canonical form (keys sorted, no whitespace, the digest left out), and that form holds
 * the size and SHA-256 of every file and the digest of every part. Any change to a label,
 * an option or a checksum, down to one bit, breaks the seal. The digest guards against
 * damage and hand edits, not against someone who rewrites it on purpose: it is no signature.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { nestedDeeperThan, TextkitError } from "../core/index.ts";

export const ARTIFACT_FORMAT = "textkit-model";
/** 2: the manifest carries `digest` (and `parts`); version 1 manifests had no seal. */
export const ARTIFACT_FORMAT_VERSION = 2;
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
  /** Parts of this part (an assistant's intent head with its bundled encoder), written below it. */
  parts?: Record<string, ArtifactParts>;
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

const PART_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Deepest nesting a manifest may have: its options and metrics nest a few levels; deeper is
 * damage, and the canonical form below would overflow the stack walking it.
 */
const MAX_MANIFEST_DEPTH = 32;

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function manifestOf(
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

function isFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== MANIFEST &&
    name === basename(name) &&
    !name.startsWith(".") &&
    !name.includes("\\")
  );
}

async function writeInto(
  dir: string,
  manifest: ArtifactManifest,
  files: Record<string, Uint8Array>,
): Promise<void> {
  for (const [name, data] of Object.entries(files)) await writeFileSynced(join(dir, name), data);
  await writeFileSynced(join(dir, MANIFEST), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
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

const SHA256 = /^[0-9a-f]{64}$/;

/** Throws ARTIFACT_CORRUPT, naming the field, unless every field has the type the format says. */
function checkManifestFields(
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

function wholeValues(data: Buffer, size: number, file: string | undefined): number {
  if (data.byteLength % size !== 0) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${file === undefined ? "a weight file" : `model file ${file}`} has ${data.byteLength} bytes, not a whole number of ${size}-byte values`,
      file === undefined ? {} : { file },
    );
  }
  return data.byteLength / size;
}

/**
 * A typed view of a little-endian binary file of weights; copies so the view is aligned.
 * ARTIFACT_CORRUPT (naming `file`) when the length is not a multiple of 4 or a value is NaN
 * or infinite: no model stores such a weight, and serving one answers null scores.
 */
export function float32FromBuffer(data: Buffer, file?: string): Float32Array {
  const out = new Float32Array(wholeValues(data, 4, file));
  new Uint8Array(out.buffer).set(data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `${file === undefined ? "a weight file" : `model file ${file}`} holds ${out[i]} at value ${i}, not a finite number`,
        file === undefined ? {} : { file },
      );
    }
  }
  return out;
}

/** As float32FromBuffer, for integer files (no finiteness to check). */
export function int32FromBuffer(data: Buffer, file?: string): Int32Array {
  const out = new Int32Array(wholeValues(data, 4, file));
  new Uint8Array(out.buffer).set(data);
  return out;
}

/**
 * A float file of a verified artifact, checked as float32FromBuffer checks it.
 *
 * @example
 * const input = artifactFloats(await readArtifact(dir, "classifier"), "input.f32");
 */
export function artifactFloats(artifact: Artifact, name: string): Float32Array {
  return float32FromBuffer(artifactFile(artifact, name), join(artifact.dir, name));
}

/** An int32 file of a verified artifact; ARTIFACT_CORRUPT when its length is not a multiple of 4. */
export function artifactInts(artifact: Artifact, name: string): Int32Array {
  return int32FromBuffer(artifactFile(artifact, name), join(artifact.dir, name));
}

/**
 * The options of a verified artifact through a family's own resolver, which fills defaults
 * and refuses out-of-range values; its OPTION_INVALID becomes ARTIFACT_CORRUPT, since the
 * fault is in the model, not in anything the user passed. Resolvers check ranges, not always
 * types, so a stored option must also have the type of its default (`resolve({})`), or be
 * anything where the default is null. `exclude` names stored keys that are not options of
 * the resolver (the family reads them itself).
 *
 * @example
 * const options = artifactOptions(artifact, (stored) => resolveTaggerOptions(stored), ["language"]);
 */
export function artifactOptions<T>(
  artifact: Artifact,
  resolve: (stored: Record<string, unknown>) => T,
  exclude: readonly string[] = [],
): T {
  const file = join(artifact.dir, MANIFEST);
  const stored = Object.fromEntries(
    Object.entries(artifact.manifest.options).filter(([key]) => !exclude.includes(key)),
  );
  let defaults: unknown = null;
  try {
    defaults = resolve({});
  } catch {
    // A family whose options have no complete defaults: its resolver alone checks them.
  }
  if (isPlainObject(defaults)) {
    for (const [key, value] of Object.entries(stored)) {
      const expected = defaults[key];
      if (expected === undefined || expected === null || value === undefined) continue;
      const same =
        typeof value === typeof expected &&
        Array.isArray(value) === Array.isArray(expected) &&
        value !== null;
      // A number option may also be stored as an object (e.g. a range) when its default is one, and vice versa.
      if (!same && !(typeof expected === "number" && isPlainObject(value))) {
        throw new TextkitError(
          "ARTIFACT_CORRUPT",
          `the options in ${file} are not valid: ${key} is ${JSON.stringify(value)}, not a ${Array.isArray(expected) ? "list" : typeof expected}`,
          { file, details: { field: `options.${key}` } },
        );
      }
    }
  }
  try {
    return resolve(stored);
  } catch (cause) {
    if (!(cause instanceof TextkitError) || cause.code !== "OPTION_INVALID") throw cause;
    throw new TextkitError("ARTIFACT_CORRUPT", `the options in ${file} are not valid: ${cause.message}`, {
      file,
      cause,
    });
  }
}

export function bytesOf(array: Float32Array | Int32Array | Uint8Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
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
