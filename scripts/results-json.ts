/**
 * Writes the JSON twin (NAME-DATE.json) of every Markdown result in bench/results that lacks
 * one, from the page itself; the machine is the page's "Machine:" line. Benchmarks write both
 * themselves (bench/common.ts writeResult); this covers pages written before they did.
 *
 *   node --import tsx scripts/results-json.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultJson } from "../bench/result-json.ts";

const dir = join(import.meta.dirname, "..", "bench", "results");
for (const file of readdirSync(dir).sort()) {
  const m = /^(.+)-(\d{4}-\d{2}-\d{2})\.md$/.exec(file);
  if (!m) continue;
  const out = join(dir, file.replace(/\.md$/, ".json"));
  if (existsSync(out)) continue;
  const page = readFileSync(join(dir, file), "utf8");
  const machine = /^Machine:\s*(.+)$/m.exec(page)?.[1]?.trim() ?? "not stated on the page";
  const json = resultJson(m[1] ?? file, m[2] ?? "", machine, page);
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  console.log(
    `${out}: ${json.tables.length} tables, ${json.tables.reduce((n, t) => n + t.rows.length, 0)} rows`,
  );
}
