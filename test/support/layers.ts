/**
 * The layer table of docs/design.md as code, and a checker that holds a set of source files
 * to it: an import against the table, an import cycle between files, or a deep import into
 * another folder past its `index.ts`. The imports come from TypeScript's own pre-processor
 * (static `import`/`export ... from` and `import("...")`), so comments and strings that only
 * look like imports do not count.
 */
import { dirname, join, normalize } from "node:path/posix";
import ts from "typescript";

/** Layers from the top of the design table to the bottom. */
export const LAYERS = [
  "root",
  "cli",
  "server",
  "apps",
  "train",
  "eval",
  "models",
  "artifact",
  "store",
  "data",
  "text",
  "core",
] as const;
export type Layer = (typeof LAYERS)[number];

/** What each layer may import, besides itself (docs/design.md, "Layers and the direction of imports"). */
export const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  root: LAYERS.filter((layer) => layer !== "root"),
  cli: ["server", "apps", "train", "eval", "models", "artifact", "store", "data", "text", "core"],
  server: ["apps", "models", "eval", "artifact", "store", "core"],
  apps: ["models", "eval", "artifact", "store", "data", "text", "core"],
  train: ["eval", "data", "artifact", "core"],
  eval: ["core"],
  models: ["train", "eval", "artifact", "data", "text", "core"],
  artifact: ["core"],
  store: ["core"],
  data: ["text", "core"],
  text: ["core"],
  core: [],
};

/** Folders under src/models/ that are helpers, not families: any family may use them. */
export const MODEL_HELPERS: ReadonlySet<string> = new Set(["forecast", "numeric", "vectors"]);

/** Where a file sits: its layer and its folder (the unit whose `index.ts` is its door). */
export interface Place {
  layer: Layer;
  /** `src/models/tagger`, `src/apps/assist`, `src/server` (subfolders such as routes included). */
  folder: string;
}

/** The place of a path relative to the repository root, or undefined outside src/. */
export function placeOf(path: string): Place | undefined {
  const parts = path.split("/");
  if (parts[0] !== "src") return undefined;
  if (parts.length === 2) return { layer: "root", folder: "src" };
  const top = parts[1];
  if (top === "apps" || top === "models") {
    return { layer: top, folder: parts.slice(0, 3).join("/") };
  }
  const layer = LAYERS.find((name) => name === top);
  return layer === undefined ? undefined : { layer, folder: `src/${layer}` };
}

export type ViolationKind = "layer" | "sideways" | "deep" | "cycle";

export interface Violation {
  kind: ViolationKind;
  /** The importing file (for a cycle, the first file of the cycle in sorted order). */
  file: string;
  /** The imported file (for a cycle, every file of the cycle, sorted, joined by ", "). */
  target: string;
}

/** One line per violation, stable, for messages and allow-lists. */
export function describeViolation(v: Violation): string {
  return v.kind === "cycle" ? `cycle: ${v.target}` : `${v.kind}: ${v.file} -> ${v.target}`;
}

/** The repository-relative files a source imports, for relative specifiers only. */
export function importsOf(path: string, source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    const spec = ref.fileName;
    if (!spec.startsWith(".")) continue;
    out.push(normalize(join(dirname(path), spec)));
  }
  return out;
}

function isIndex(path: string, folder: string): boolean {
  return path === `${folder}/index.ts`;
}

function checkEdge(from: string, to: string): Violation | undefined {
  const a = placeOf(from);
  const b = placeOf(to);
  if (a === undefined || b === undefined || a.folder === b.folder) return undefined;
  if (a.layer === b.layer) {
    const sideways =
      a.layer === "apps" || (a.layer === "models" && !MODEL_HELPERS.has(b.folder.split("/")[2] ?? ""));
    if (sideways) return { kind: "sideways", file: from, target: to };
  } else if (!MAY_IMPORT[a.layer].includes(b.layer)) {
    return { kind: "layer", file: from, target: to };
  }
  if (!isIndex(to, b.folder)) return { kind: "deep", file: from, target: to };
  return undefined;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/**
 * Every violation in a set of files (repository-relative path to source text). Test files
 * (`*.test.ts`) are held to the layers and to the index rule like the code beside them,
 * but cannot take part in a cycle since nothing imports them.
 */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  const graph = new Map<string, string[]>();
  const violations: Violation[] = [];
  for (const [path, source] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const targets = importsOf(path, source);
    graph.set(path, targets);
    for (const target of targets) {
      const v = checkEdge(path, target);
      if (v !== undefined) violations.push(v);
    }
  }
  for (const cycle of cycles(graph)) {
    violations.push({ kind: "cycle", file: cycle[0]!, target: cycle.join(", ") });
  }
  return violations;
}
