/**
 * What `textkit cluster` prints: the clusters of texts or rows, the table of k tried, the
 * summary line, and the warnings a person should read before trusting text clusters.
 */
import { join } from "node:path";
import type { KChoice, NumericClusterModel, TextClusterModel } from "../models/cluster/index.ts";
import { detectLanguage } from "../text/index.ts";

/** Below this silhouette the clusters are flagged: the texts hardly fall into groups. */
const WEAK_SILHOUETTE = 0.05;
/** From this share of texts in the other language, a corpus counts as mixed. */
const MIXED_LANGUAGE_SHARE = 0.2;

/**
 * What a person should know before trusting text clusters: a silhouette too low to mean
 * groups, and English and Chinese texts together (they share few terms, so k-means splits
 * them by language before topic).
 */
export function clusterWarnings(silhouette: number | null, texts: readonly string[]): string[] {
  const out: string[] = [];
  if (silhouette !== null && silhouette < WEAK_SILHOUETTE) {
    out.push(
      `weak structure: silhouette ${silhouette.toFixed(4)} is below ${WEAK_SILHOUETTE}: the texts hardly fall into separate groups; try other values of --k (e.g. --k 2..12) or longer texts`,
    );
  }
  let chinese = 0;
  for (const text of texts) if (detectLanguage(text) === "zh") chinese++;
  const share = texts.length === 0 ? 0 : chinese / texts.length;
  if (Math.min(share, 1 - share) >= MIXED_LANGUAGE_SHARE) {
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    out.push(
      `mixed languages: ${pct(1 - share)} English, ${pct(share)} Chinese texts; they share few terms, so clusters tend to follow the language rather than the topic: cluster each language on its own`,
    );
  }
  return out;
}

function fixed(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? "n/a" : x.toFixed(digits);
}

/** The table of k, inertia and silhouette, the chosen k marked. */
export function formatSelection(selection: readonly KChoice[], chosen: number): string {
  const rows = selection.map((s) => [
    String(s.k),
    fixed(s.inertia, 4),
    fixed(s.silhouette, 4),
    String(s.iterations),
    `${s.seconds.toFixed(2)}s${s.k === chosen ? "  <- best silhouette" : ""}`,
  ]);
  const header = ["k", "inertia", "silhouette", "iterations", "time"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padStart(widths[c]!))).join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

function quoteExample(text: string, width = 100): string {
  const flat = text.replace(/\s+/g, " ");
  return JSON.stringify(flat.length > width ? `${flat.slice(0, width - 1)}…` : flat);
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(1)}%`;
}

export function formatTextClusters(model: TextClusterModel, n: number): string {
  let out = "";
  for (const c of model.clusters) {
    out += `cluster ${c.cluster}: ${c.size} texts (${percent(c.size, n)})\n`;
    out += `  terms: ${c.topTerms.length === 0 ? "(none)" : c.topTerms.map((t) => t.term).join(", ")}\n`;
    for (let e = 0; e < c.examples.length; e++) {
      out += `  ${e === 0 ? "e.g." : "    "} ${quoteExample(c.examples[e]!.text)}\n`;
    }
  }
  return out;
}

export function formatNumericClusters(model: NumericClusterModel, n: number): string {
  let out = "";
  const shown = Math.min(model.dim, 6);
  for (const c of model.clusters) {
    const centre = c.centroid
      .slice(0, shown)
      .map((v, d) => `${model.columns[d]}=${Number(v.toPrecision(4))}`)
      .join(", ");
    out += `cluster ${c.cluster}: ${c.size} rows (${percent(c.size, n)})\n`;
    out += `  centre: ${centre}${model.dim > shown ? `, ... (${model.dim} columns)` : ""}\n`;
    out += `  nearest rows: line ${c.nearestLines.join(", ")}\n`;
  }
  return out;
}

export function summaryLines(
  model: TextClusterModel | NumericClusterModel,
  n: number,
  what: string,
  out: string | undefined,
): string {
  const terms = model.task === "text-clustering" && model.tfidf !== null ? `, ${model.tfidf.dim} terms` : "";
  let text = `\nclusters: ${model.k}, inertia ${fixed(model.inertia, 4)}, silhouette ${fixed(model.silhouette, 4)} (${n} ${what}${terms}, ${model.options.metric})\n`;
  if (out !== undefined) text += `model: ${out}\nrun record: ${join(out, "run.json")}\n`;
  return text;
}
