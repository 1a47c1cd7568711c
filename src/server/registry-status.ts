/**
 * The registry's record of one model (what is on disk, what is active, which versions failed)
 * and the `ModelStatus` clients see of it, with the models directory taken out of messages.
 */
import { sep } from "node:path";
import type { TextkitError } from "../core/index.ts";
import type { DiskModel } from "./registry-disk.ts";
import type { ModelStatus, ServedModel } from "./served-model.ts";

/** What the registry knows of one model. */
export interface ModelEntry {
  name: string;
  dir: string;
  disk: DiskModel;
  active: ServedModel | null;
  activeFingerprint: string | null;
  failures: Map<string, { fingerprint: string; error: TextkitError }>;
}

/**
 * `text` with the models directory taken out of every path that starts with it (at the start
 * of a word or after a quote or bracket): `models/topics/v3/manifest.json` reads
 * `topics/v3/manifest.json`, the directory alone `<models>`. Clients see where in the
 * catalogue, never where on the server.
 */
export function withoutRoot(text: string, roots: readonly string[]): string {
  let out = text;
  for (const root of roots) {
    const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out
      .replace(new RegExp(`(^|[\\s'"(\\[\`])${escaped}${sep === "/" ? "/" : "\\\\"}`, "g"), "$1")
      .replace(new RegExp(`(^|[\\s'"(\\[\`])${escaped}(?=$|[\\s'")\\]\`:;,])`, "g"), "$1<models>");
  }
  return out;
}

/** The status of `entry`; `clean` takes server paths out of error messages. */
export function statusOf(entry: ModelEntry, clean: (message: string) => string): ModelStatus {
  const active = entry.active;
  const newest = entry.disk.versions[entry.disk.versions.length - 1];
  const manifest = active?.manifest ?? newest?.manifest ?? null;
  return {
    name: entry.name,
    layout: entry.disk.layout,
    // From a manifest that may not have loaded: a field that is not a string shows as null.
    family: typeof manifest?.family === "string" ? manifest.family : null,
    task: typeof manifest?.task === "string" ? manifest.task : null,
    activeVersion: active?.version ?? null,
    pinnedVersion: entry.disk.pinned,
    labelCount: active?.labels?.length ?? null,
    versions: entry.disk.versions.map((v) => {
      const failure = entry.failures.get(v.version);
      return {
        version: v.version,
        state: active?.version === v.version ? "active" : failure !== undefined ? "failed" : "available",
        createdAt: typeof v.manifest?.createdAt === "string" ? v.manifest.createdAt : null,
        digest: typeof v.manifest?.digest === "string" ? v.manifest.digest : null,
        error:
          failure === undefined ? null : { code: failure.error.code, message: clean(failure.error.message) },
      };
    }),
  };
}
