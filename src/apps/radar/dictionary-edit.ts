/**
 * Adding a technology to a dictionary file's text, as `textkit radar accept` does with a
 * discovery candidate. YAML keeps its comments and layout (the new entry goes at the end of
 * `technologies`); JSON is written back with two-space indents. The result is read again by
 * `parseDictionary`, so a name or alias that another technology already has is refused with
 * the same coded error, naming the line of the technology that has it.
 */
import { isSeq, parseDocument } from "yaml";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import { normalizeAlias, parseDictionary, type RadarDictionary } from "./dictionary.ts";

/** A technology to add. */
export interface NewTechnology {
  name: string;
  quadrant: string;
  /** Other names besides `name` (English, Chinese...). */
  aliases?: readonly string[];
  description?: string;
}

function entryOf(entry: NewTechnology): Record<string, unknown> {
  const aliases = (entry.aliases ?? []).map(normalizeAlias).filter((a) => a !== "");
  return {
    name: normalizeAlias(entry.name),
    quadrant: entry.quadrant,
    ...(aliases.length === 0 ? {} : { aliases }),
    ...(entry.description === undefined || entry.description === ""
      ? {}
      : { description: entry.description }),
  };
}

function isJson(path: string, text: string): boolean {
  return path.toLowerCase().endsWith(".json") || text.trimStart().startsWith("{");
}

function withJsonEntry(path: string, text: string, entry: Record<string, unknown>): string {
  const value: unknown = JSON.parse(text);
  const list = typeof value === "object" && value !== null ? Reflect.get(value, "technologies") : undefined;
  if (!Array.isArray(list)) {
    throw new TextkitError("RADAR_DICTIONARY_INVALID", `${path} has no 'technologies' list to add to`, {
      file: path,
    });
  }
  list.push(entry);
  return `${JSON.stringify(value, null, 2)}\n`;
}

function withYamlEntry(path: string, text: string, entry: Record<string, unknown>): string {
  const doc = parseDocument(text);
  const list = doc.get("technologies");
  if (!isSeq(list)) {
    throw new TextkitError("RADAR_DICTIONARY_INVALID", `${path} has no 'technologies' list to add to`, {
      file: path,
    });
  }
  const node = doc.createNode(entry);
  const aliases = node.get("aliases");
  // Aliases on one line, as the demo's dictionary writes them.
  if (isSeq(aliases)) aliases.flow = true;
  list.add(node);
  // No padding inside [ ]: the lines already there keep the way they were written.
  return doc.toString({ flowCollectionPadding: false });
}

/**
 * The dictionary's text with `entry` added, and the dictionary it reads as. The file is
 * read first (so its own mistakes are reported as they are), the quadrant checked, and the
 * new text read again with every check of the dictionary.
 *
 * @example
 * const { text } = addTechnology("tech.yaml", readFileSync("tech.yaml", "utf8"), { name: "Zed", quadrant: "tools" });
 */
export function addTechnology(
  path: string,
  text: string,
  entry: NewTechnology,
): { text: string; dictionary: RadarDictionary } {
  const before = parseDictionary(path, text);
  if (!before.quadrants.includes(entry.quadrant)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `'${entry.quadrant}' is not a quadrant of ${path} (its quadrants: ${before.quadrants.join(", ")})`,
      { details: { option: "quadrant", value: entry.quadrant } },
    );
  }
  if (normalizeAlias(entry.name) === "") {
    throw new TextkitError("OPTION_INVALID", "the technology's name is empty", {
      details: { option: "name" },
    });
  }
  const fields = entryOf(entry);
  const next = isJson(path, text) ? withJsonEntry(path, text, fields) : withYamlEntry(path, text, fields);
  try {
    return { text: next, dictionary: parseDictionary(path, next) };
  } catch (cause) {
    // The line would be the new entry's, which the file does not have: name the file only.
    if (!isTextkitError(cause)) throw cause;
    throw new TextkitError(cause.code, `${fields["name"]} was not added: ${cause.message}`, {
      file: path,
      cause,
    });
  }
}
