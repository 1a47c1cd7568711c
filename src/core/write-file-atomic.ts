/**
 * Writes a whole file so that readers see the old file or the new one, never a part: the
 * data goes to a temporary name beside the target, is flushed to disk, then renamed over it.
 */
import { open, rename, unlink } from "node:fs/promises";
import { TextkitError } from "./errors.ts";

/**
 * Writes `data` to `path` atomically. A directory that does not exist is a
 * DATA_FILE_NOT_FOUND naming `path`; on any failure the temporary file is removed.
 *
 * @example
 * await writeFileAtomic("out/train.bioes.conll", text);
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, "w").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw new TextkitError("DATA_FILE_NOT_FOUND", `cannot write ${path}: its directory does not exist`, {
      file: path,
      cause: error,
    });
  });
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
