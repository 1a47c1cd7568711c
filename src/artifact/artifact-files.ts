/**
 * The files and options of a verified artifact as a model reads them: typed weight arrays
 * (little-endian, checked for whole values and finite floats) and options through the
 * family's own resolver.
 */
import { join } from "node:path";
import { TextkitError } from "../core/index.ts";
import { type Artifact, isPlainObject, MANIFEST } from "./manifest.ts";

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
