import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `.ts` files below `dir` of the tree at `root`, each path relative to `root`
 * (`src/core/errors.ts`), mapped to its text: what the layer and size checks read.
 */
export function readSourceTree(root: string, dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.set(path, readFileSync(join(root, path), "utf8"));
    }
  };
  walk(dir);
  return files;
}
