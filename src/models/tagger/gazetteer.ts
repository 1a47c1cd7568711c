/**
 * Gazetteers: lists of known names by type (companies, products, cities) that the user
 * supplies. A gazetteer does not decide anything by itself; the tagger learns how much to
 * trust a match, so a list with mistakes or gaps still helps.
 */
import { TextkitError } from "../../core/index.ts";
import { readTextLines } from "../../data/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { tokenizeForTagging } from "../../text/index.ts";

const JOIN = "\u0001";
const MAX_ENTRY_TOKENS = 12;

export interface GazetteerEntry {
  type: string;
  phrase: string;
}

/**
 * Phrases by type, matched on lower-cased tokens, longest match first from the left.
 *
 * @example
 * const gaz = new Gazetteer([{ type: "ORG", phrase: "Bank of China" }], "en");
 * gaz.match(["the", "bank", "of", "china", "said"]); // ["", "ORG:B", "ORG:I", "ORG:E", ""]
 */
export class Gazetteer {
  readonly language: TextLanguage;
  readonly entries: readonly GazetteerEntry[];
  private readonly index = new Map<string, string>();
  private readonly maxTokens: number;

  constructor(entries: readonly GazetteerEntry[], language: TextLanguage) {
    this.language = language;
    this.entries = entries;
    let max = 0;
    for (const e of entries) {
      const tokens = tokenizeForTagging(e.phrase, language).map((t) => t.token.toLowerCase());
      if (tokens.length === 0 || tokens.length > MAX_ENTRY_TOKENS) continue;
      const key = tokens.join(JOIN);
      // The first type listed for a phrase wins; a phrase in two lists is usually the first one's.
      if (!this.index.has(key)) this.index.set(key, e.type);
      max = Math.max(max, tokens.length);
    }
    this.maxTokens = max;
  }

  get size(): number {
    return this.index.size;
  }

  /** Per token: "" or "TYPE:B|I|E|S" for the longest entry covering it. */
  match(tokens: readonly string[]): string[] {
    const n = tokens.length;
    const out = new Array<string>(n).fill("");
    if (this.maxTokens === 0) return out;
    const lower = tokens.map((t) => t.toLowerCase());
    let i = 0;
    while (i < n) {
      let found = 0;
      let type = "";
      for (let len = Math.min(this.maxTokens, n - i); len >= 1; len--) {
        const hit = this.index.get(lower.slice(i, i + len).join(JOIN));
        if (hit !== undefined) {
          found = len;
          type = hit;
          break;
        }
      }
      if (found === 0) {
        i++;
        continue;
      }
      if (found === 1) out[i] = `${type}:S`;
      else {
        out[i] = `${type}:B`;
        for (let j = i + 1; j < i + found - 1; j++) out[j] = `${type}:I`;
        out[i + found - 1] = `${type}:E`;
      }
      i += found;
    }
    return out;
  }

  /** The entries as a TSV text (type, tab, phrase), for the model directory. */
  toTsv(): string {
    return this.entries.map((e) => `${e.type}\t${e.phrase}\n`).join("");
  }

  /** Reads what `toTsv` wrote. */
  static fromTsv(text: string, language: TextLanguage): Gazetteer {
    const entries: GazetteerEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.length === 0) continue;
      const tab = line.indexOf("\t");
      if (tab > 0) entries.push({ type: line.slice(0, tab), phrase: line.slice(tab + 1) });
    }
    return new Gazetteer(entries, language);
  }
}

/** Where a gazetteer comes from: a file of phrases of one type, or a TSV of type and phrase. */
export interface GazetteerSource {
  path: string;
  /** Every line is a phrase of this type; without it each line is "TYPE<tab>phrase". */
  type?: string;
}

const TYPE_PATTERN = /^[^\s\t]+$/u;

/**
 * Reads gazetteer files. Blank lines and lines starting with "#" are skipped.
 *
 * @example
 * await readGazetteerEntries([{ path: "banks.txt", type: "ORG" }, { path: "places.tsv" }]);
 */
export async function readGazetteerEntries(sources: readonly GazetteerSource[]): Promise<GazetteerEntry[]> {
  const entries: GazetteerEntry[] = [];
  for (const source of sources) {
    if (source.type !== undefined && !TYPE_PATTERN.test(source.type)) {
      throw new TextkitError("OPTION_INVALID", `gazetteer type '${source.type}' must be one word, e.g. ORG`);
    }
    for await (const { text, line } of readTextLines(source.path)) {
      const trimmed = text.trim();
      if (trimmed.length === 0 || trimmed.startsWith("#")) continue;
      if (source.type !== undefined) {
        entries.push({ type: source.type, phrase: trimmed });
        continue;
      }
      const tab = trimmed.indexOf("\t");
      const type = tab > 0 ? trimmed.slice(0, tab).trim() : "";
      const phrase = tab > 0 ? trimmed.slice(tab + 1).trim() : "";
      if (type === "" || phrase === "" || !TYPE_PATTERN.test(type)) {
        throw new TextkitError(
          "DATA_BAD_ROW",
          "a gazetteer line must be TYPE, a tab, and the phrase (or pass the file as TYPE=path, one phrase per line)",
          { file: source.path, line },
        );
      }
      entries.push({ type, phrase });
    }
  }
  return entries;
}
