/** `textkit radar export` and `import`: the radar as Build-Your-Own-Radar CSV or JSON, and back. */
import { readFileSync } from "node:fs";
import { byorEntries, compareByor, parseByor, toByorCsv, toByorJson } from "../apps/radar/index.ts";
import { TextkitError, writeFileAtomic } from "../core/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { type DatabaseFlags, withStore } from "./radar-common.ts";

export async function runExport(
  flags: DatabaseFlags & { format: "csv" | "json"; date?: number; output?: string },
  io: CliIo,
): Promise<void> {
  await withStore(flags, async (store) => {
    const snapshot = await store.snapshotAt(flags.date);
    const entries = byorEntries(await store.summary(), snapshot);
    const text = flags.format === "json" ? toByorJson(entries) : toByorCsv(entries);
    if (flags.output === undefined) await writeAll(io.stdout, text);
    else {
      await writeFileAtomic(flags.output, text);
      await writeAll(
        io.stdout,
        `wrote ${flags.output}: ${entries.length} blips of ${snapshot.label} (Build-Your-Own-Radar ${flags.format.toUpperCase()})\n`,
      );
    }
  });
}

export async function runImport(
  file: string,
  flags: DatabaseFlags & { date?: number },
  io: CliIo,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${file} cannot be read`, { file, cause });
  }
  const entries = parseByor(file, text);
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const snapshot = await store.snapshotAt(flags.date);
    const comparison = compareByor(entries, snapshot, summary.rings);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ snapshot: snapshot.label, comparison })}\n`);
      return;
    }
    const lines = [`${file} (${entries.length} blips) against the radar of ${snapshot.label}:`];
    for (const c of comparison) {
      const verdict =
        c.difference === null
          ? c.theirs === null
            ? "only here"
            : c.ours === null
              ? "not on this radar"
              : ""
          : c.difference === 0
            ? "same ring"
            : c.difference > 0
              ? `${c.difference} ring(s) further out here`
              : `${-c.difference} ring(s) further in here`;
      lines.push(
        `  ${c.name.padEnd(22)} theirs ${(c.theirs ?? "-").padEnd(8)} ours ${(c.ours ?? "-").padEnd(8)} ${verdict}`,
      );
    }
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}
