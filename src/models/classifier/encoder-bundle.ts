/**
 * An encoder's folder carried inside a model artifact (`--bundle`), so that the model
 * loads on a machine that lacks the encoder. The folder's files (Hugging Face layout, with
 * sub-folders such as `onnx/` and `1_Pooling/`) are stored as one artifact part with flat
 * names, so that the artifact's checksums cover them; loading unpacks them once per
 * checksum into a folder under the system's temporary directory, written under a temporary
 * name and renamed, and the encoder's own checksum is checked again when it loads.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { type ArtifactParts, readArtifact } from "../../artifact/index.ts";
import { TEXTKIT_VERSION, TextkitError } from "../../core/index.ts";

export const ENCODER_BUNDLE_PART = "encoder";
export const ENCODER_BUNDLE_FAMILY = "encoder-bundle";

async function filesUnder(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(root, path)));
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join("/"));
  }
  return out.sort();
}

/** A flat part-file name for a relative path: `onnx/model.onnx` -> `f003-model.onnx`. */
function flatName(index: number, path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]/g, "_");
  return `f${String(index).padStart(3, "0")}-${base}`.toLowerCase();
}

/**
 * The artifact part that carries the encoder folder `encoderDir` (every file but hidden
 * ones), for a model whose encoder has `checksum`.
 */
export async function encoderBundleParts(
  encoderDir: string,
  checksum: string,
  id: string,
): Promise<ArtifactParts> {
  let paths: string[];
  try {
    paths = await filesUnder(encoderDir);
  } catch (cause) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      `cannot read the encoder folder ${encoderDir} to bundle it`,
      {
        file: encoderDir,
        cause,
      },
    );
  }
  const files: Record<string, Uint8Array> = {};
  const layout: Record<string, string> = {};
  for (const [i, path] of paths.entries()) {
    const name = flatName(i, path);
    files[name] = await readFile(join(encoderDir, path));
    layout[name] = path;
  }
  return {
    manifest: {
      family: ENCODER_BUNDLE_FAMILY,
      task: "files",
      options: { checksum, id, layout },
      textkitVersion: TEXTKIT_VERSION,
    },
    files,
  };
}

/**
 * Unpacks the encoder bundled in the model at `modelDir` (its files verified against the
 * artifact's checksums) and returns the folder to load it from.
 */
export async function unpackEncoderBundle(modelDir: string): Promise<string> {
  const part = await readArtifact(join(modelDir, ENCODER_BUNDLE_PART), ENCODER_BUNDLE_FAMILY);
  const { checksum, layout } = part.manifest.options;
  const file = join(modelDir, ENCODER_BUNDLE_PART, "manifest.json");
  if (
    typeof checksum !== "string" ||
    !/^[0-9a-f]{16,128}$/.test(checksum) ||
    layout === null ||
    typeof layout !== "object"
  ) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the encoder bundled in ${modelDir} has no valid checksum or layout`,
      { file },
    );
  }
  const target = join(tmpdir(), "textkit-encoders", checksum);
  if (existsSync(target) && (await stat(target)).isDirectory()) return target;
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    for (const [name, path] of Object.entries(layout)) {
      if (typeof path !== "string" || path.startsWith("/") || path.split("/").includes("..")) {
        throw new TextkitError(
          "ARTIFACT_CORRUPT",
          `the encoder bundled in ${modelDir} names a bad path ${JSON.stringify(path)}`,
          { file },
        );
      }
      const data = part.files[name];
      if (data === undefined) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the encoder bundled in ${modelDir} lacks ${path}`, {
          file,
        });
      }
      await mkdir(dirname(join(temp, path)), { recursive: true });
      await writeFile(join(temp, path), data);
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another process unpacked the same checksum first: its copy is as good.
    if (existsSync(target)) return target;
    throw error;
  }
  return target;
}
