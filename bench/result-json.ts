/**
 * The JSON twin of a benchmark's Markdown result: every table of the page as rows of named
 * values, with the machine and the date, so a tool can compare runs without reading Markdown.
 * It is read back from the Markdown that the benchmark wrote, so the two can never disagree.
 */

/** One table of a result page: the heading it sits under, its columns, its rows. */
export interface ResultTable {
  heading: string;
  columns: string[];
  /** One object per row, keyed by column; a cell that is a plain number is a number. */
  rows: Record<string, string | number>[];
}

export interface ResultJson {
  benchmark: string;
  date: string;
  machine: string;
  tables: ResultTable[];
}

/**
 * A cell as a number when it is one once thousands separators, bold marks and a trailing
 * "x" (a ratio) or "%" are taken away; otherwise the text as written.
 */
export function cellValue(cell: string): string | number {
  const text = cell.replace(/\*\*/g, "").trim();
  const bare = text.replace(/,(?=\d{3}\b)/g, "").replace(/[x%]$/, "");
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(bare)) return Number(bare);
  return text;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

/**
 * Every pipe table of `markdown`, with the nearest heading above it.
 *
 * @example
 * resultTables("## A\n\n| k | v |\n|---|---|\n| a | 1.5x |").at(0)?.rows
 * // [{ k: "a", v: 1.5 }]
 */
export function resultTables(markdown: string): ResultTable[] {
  const lines = markdown.split("\n");
  const tables: ResultTable[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const h = /^#+\s+(.*)$/.exec(line);
    if (h) {
      heading = h[1]?.trim() ?? "";
      continue;
    }
    const next = lines[i + 1] ?? "";
    if (!line.trim().startsWith("|") || !/^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(next)) continue;
    const columns = cells(line);
    const rows: Record<string, string | number>[] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] ?? "").trim().startsWith("|"); j++) {
      const values = cells(lines[j] ?? "");
      const row: Record<string, string | number> = {};
      columns.forEach((column, k) => {
        row[column] = cellValue(values[k] ?? "");
      });
      rows.push(row);
    }
    tables.push({ heading, columns, rows });
    i = j - 1;
  }
  return tables;
}

/** The JSON document for a result page. */
export function resultJson(benchmark: string, date: string, machine: string, markdown: string): ResultJson {
  return { benchmark, date, machine, tables: resultTables(markdown) };
}
