/**
 * The technology dictionary: which technologies the radar follows, in which quadrant, under
 * which names (English and Chinese aliases), and the rings it sorts them into. Read from
 * YAML or JSON; every mistake is a RADAR_DICTIONARY_INVALID error with the file and line.
 */
import { TextkitError } from "../../core/index.ts";
import { type Located, YamlSource } from "./yaml-source.ts";

/** How an alias's letter case is matched. */
export const CASE_RULES = ["auto", "sensitive", "insensitive"] as const;
export type CaseRule = (typeof CASE_RULES)[number];

/** A ring and the least profile-free score g·m·(1 − r) a blip needs to enter it. */
export interface RingDefinition {
  name: string;
  min: number;
}

export interface Technology {
  /** Index in the dictionary's list; stable for one dictionary. */
  id: number;
  name: string;
  quadrant: string;
  /** The name first, then the other aliases, as written. */
  aliases: string[];
  caseRule: CaseRule;
  links: string[];
  description: string;
  /** Hours a newcomer needs to become proficient (default 60). */
  effortHours: number;
  line: number;
}

export interface RadarDictionary {
  path: string;
  quadrants: string[];
  /** Inner ring first, `min` strictly decreasing, the last ring's `min` 0. */
  rings: RingDefinition[];
  technologies: Technology[];
}

export const DEFAULT_RINGS: readonly RingDefinition[] = Object.freeze([
  { name: "adopt", min: 0.2 },
  { name: "trial", min: 0.12 },
  { name: "assess", min: 0.06 },
  { name: "hold", min: 0 },
]);

export const DEFAULT_EFFORT_HOURS = 60;

/** Aliases of only letters, at most this many, match with their case under the "auto" rule ("Go", "R", "JS"). */
export const AUTO_CASE_MAX_LENGTH = 2;

/** An alias as the matcher compares it: NFKC, spaces collapsed. */
export function normalizeAlias(alias: string): string {
  return alias.normalize("NFKC").trim().replace(/\s+/g, " ");
}

/** Whether `alias` of a technology with `rule` must match with its exact case. */
export function isCaseSensitive(alias: string, rule: CaseRule): boolean {
  if (rule !== "auto") return rule === "sensitive";
  const text = normalizeAlias(alias);
  return text.length <= AUTO_CASE_MAX_LENGTH && /^[A-Za-z]+$/.test(text);
}

function readRings(node: Located): RingDefinition[] {
  if (node.isMissing()) return DEFAULT_RINGS.map((r) => ({ ...r }));
  const rings: RingDefinition[] = [];
  const items = node.items();
  if (items.length < 2) throw node.error("needs at least two rings");
  for (const item of items) {
    const name = item.get("name").string();
    const min = item.get("min").number();
    if (!(min >= 0 && min <= 1)) throw item.get("min").error(`must be from 0 to 1, got ${min}`);
    if (rings.some((r) => r.name === name)) throw item.error(`ring '${name}' is listed twice`);
    const previous = rings[rings.length - 1];
    if (previous !== undefined && !(min < previous.min)) {
      throw item
        .get("min")
        .error(`must be below the ring before it ('${previous.name}', ${previous.min}): inner rings first`);
    }
    rings.push({ name, min });
  }
  const last = rings[rings.length - 1]!;
  if (last.min !== 0)
    throw items[items.length - 1]!.get("min").error(
      "the outermost ring must start at 0, so that every blip has a ring",
    );
  return rings;
}

function readTechnology(item: Located, id: number, quadrants: readonly string[]): Technology {
  for (const { key, line } of item.keys()) {
    if (!TECHNOLOGY_KEYS.has(key)) {
      throw item.source.error(
        line,
        `${item.path}: unknown key '${key}' (known: ${[...TECHNOLOGY_KEYS].join(", ")})`,
      );
    }
  }
  const name = item.get("name").string();
  const quadrantNode = item.get("quadrant");
  const quadrant = quadrantNode.string();
  if (!quadrants.includes(quadrant)) {
    throw quadrantNode.error(`'${quadrant}' is not one of the quadrants (${quadrants.join(", ")})`);
  }
  const caseNode = item.get("case");
  const caseRule = (caseNode.isMissing() ? "auto" : caseNode.string()) as CaseRule;
  if (!CASE_RULES.includes(caseRule)) throw caseNode.error(`must be one of ${CASE_RULES.join(", ")}`);
  const effortNode = item.get("effortHours");
  const effortHours = effortNode.number(DEFAULT_EFFORT_HOURS);
  if (!(effortHours > 0)) throw effortNode.error("must be above 0");
  const aliases = [name];
  for (const alias of item.get("aliases").items()) {
    const text = alias.string();
    if (aliases.some((a) => normalizeAlias(a) === normalizeAlias(text))) {
      throw alias.error(`alias '${text}' is listed twice for ${name}`);
    }
    aliases.push(text);
  }
  return {
    id,
    name,
    quadrant,
    aliases,
    caseRule,
    links: item.get("links").strings(),
    description: item.get("description").string({ optional: true }),
    effortHours,
    line: item.line,
  };
}

const TECHNOLOGY_KEYS = new Set([
  "name",
  "quadrant",
  "aliases",
  "case",
  "links",
  "description",
  "effortHours",
]);
const TOP_KEYS = new Set(["quadrants", "rings", "technologies"]);

/** The key an alias is told apart by: its case kept when it matches with case, folded otherwise. */
function aliasKey(alias: string, rule: CaseRule): string {
  const text = normalizeAlias(alias);
  return isCaseSensitive(alias, rule) ? `=${text}` : `~${text.toLowerCase()}`;
}

/**
 * Reads a dictionary from the text of a YAML or JSON file (`path` is for messages).
 *
 * @example
 * const dict = parseDictionary("tech.yaml", "quadrants: [platforms, tools]\ntechnologies:\n  - { name: Kubernetes, quadrant: platforms, aliases: [k8s, 容器编排] }\n");
 * dict.technologies[0].aliases; // ["Kubernetes", "k8s", "容器编排"]
 */
export function parseDictionary(path: string, text: string): RadarDictionary {
  return dictionaryFrom(new YamlSource(path, "RADAR_DICTIONARY_INVALID", text));
}

/** Reads a dictionary file (YAML or JSON). */
export function readDictionary(path: string): RadarDictionary {
  return dictionaryFrom(YamlSource.read(path, "RADAR_DICTIONARY_INVALID"));
}

function dictionaryFrom(source: YamlSource): RadarDictionary {
  const root = source.root;
  for (const { key, line } of root.keys()) {
    if (!TOP_KEYS.has(key))
      throw source.error(line, `unknown key '${key}' (known: ${[...TOP_KEYS].join(", ")})`);
  }
  const quadrantsNode = root.get("quadrants");
  const quadrants = quadrantsNode.strings();
  if (quadrants.length === 0) throw quadrantsNode.error("name at least one quadrant");
  if (new Set(quadrants).size !== quadrants.length) throw quadrantsNode.error("a quadrant is listed twice");
  const rings = readRings(root.get("rings"));
  const items = root.get("technologies").items();
  if (items.length === 0) throw root.get("technologies").error("list at least one technology");
  const technologies: Technology[] = [];
  const names = new Map<string, Technology>();
  const aliases = new Map<string, Technology>();
  items.forEach((item, id) => {
    const tech = readTechnology(item, id, quadrants);
    const nameKey = tech.name.toLowerCase();
    const twin = names.get(nameKey);
    if (twin !== undefined)
      throw item
        .get("name")
        .error(`'${tech.name}' is already the name of the technology on line ${twin.line}`);
    names.set(nameKey, tech);
    for (const alias of tech.aliases) {
      const key = aliasKey(alias, tech.caseRule);
      const owner = aliases.get(key);
      if (owner !== undefined) {
        throw item.error(
          `alias '${alias}' of ${tech.name} is already an alias of ${owner.name} (line ${owner.line}); an alias names one technology`,
        );
      }
      aliases.set(key, tech);
    }
    technologies.push(tech);
  });
  return { path: source.path, quadrants, rings, technologies };
}

/** The technology called `name` (any alias, any case), or a RADAR_UNKNOWN_TECHNOLOGY error. */
export function findTechnology(dictionary: RadarDictionary, name: string): Technology {
  const wanted = normalizeAlias(name).toLowerCase();
  const tech = dictionary.technologies.find((t) =>
    t.aliases.some((a) => normalizeAlias(a).toLowerCase() === wanted),
  );
  if (tech === undefined) {
    throw new TextkitError(
      "RADAR_UNKNOWN_TECHNOLOGY",
      `'${name}' is not a technology of the radar's dictionary`,
      {
        details: { field: "/technology" },
      },
    );
  }
  return tech;
}
