/**
 * What a person decides about the radar: `textkit radar discover` (growing terms the
 * dictionary does not know), `accept` (one of them added to the dictionary file, atomically,
 * through the dictionary's own checks) and `override` (a blip put in a ring by hand, with
 * who and why).
 */
import { readFileSync } from "node:fs";
import { addTechnology, type Candidate, normalizeAlias } from "../apps/radar/index.ts";
import { TextkitError, writeFileAtomic } from "../core/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { type DatabaseFlags, withStore } from "./radar-common.ts";

/** `textkit radar discover`. */
export async function runDiscover(flags: DatabaseFlags, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const { discovery } = await store.summary();
    const text = discovery
      .map(
        (c) => `${c.term.padEnd(24)} ${c.recent} documents lately, ${c.growth.toFixed(1)}x the rate before`,
      )
      .join("\n");
    const hint =
      discovery.length === 0
        ? ""
        : "\n\nadd one with: textkit radar accept <term> --quadrant <q> --dictionary <file>";
    await writeAll(
      io.stdout,
      flags.json === true
        ? `${JSON.stringify(discovery)}\n`
        : `${text === "" ? "no candidates" : `${text}${hint}`}\n`,
    );
  });
}

export interface AcceptFlags extends DatabaseFlags {
  dictionary: string;
  quadrant: string;
  alias: string[];
  description?: string;
  /** Add it even when it is not among the stored radar's discovery candidates. */
  force?: boolean;
}

/** The stored radar's candidate called `name` (any case), or an error listing the candidates. */
async function candidateOf(name: string, flags: AcceptFlags): Promise<Candidate> {
  const discovery = await withStore(flags, async (store) => (await store.summary()).discovery);
  const wanted = normalizeAlias(name).toLowerCase();
  const found = discovery.find((c) => normalizeAlias(c.term).toLowerCase() === wanted);
  if (found === undefined) {
    const known = discovery.map((c) => c.term).join(", ");
    throw new TextkitError(
      "OPTION_INVALID",
      `'${name}' is not among the radar's discovery candidates (${known === "" ? "there are none" : known}); add --force to add it anyway`,
      { details: { option: "name", value: name } },
    );
  }
  return found;
}

/** `textkit radar accept NAME --quadrant Q --dictionary FILE [--alias A]...`. */
export async function runAccept(name: string, flags: AcceptFlags, io: CliIo): Promise<void> {
  let text: string;
  try {
    text = readFileSync(flags.dictionary, "utf8");
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${flags.dictionary} cannot be read`, {
      file: flags.dictionary,
      cause,
    });
  }
  const candidate = flags.force === true ? null : await candidateOf(name, flags);
  const { text: next, dictionary } = addTechnology(flags.dictionary, text, {
    name,
    quadrant: flags.quadrant,
    aliases: flags.alias,
    ...(flags.description === undefined ? {} : { description: flags.description }),
  });
  await writeFileAtomic(flags.dictionary, next);
  const added = dictionary.technologies.at(-1);
  if (flags.json === true) {
    await writeAll(io.stdout, `${JSON.stringify({ dictionary: flags.dictionary, added, candidate })}\n`);
    return;
  }
  const seen =
    candidate === null
      ? ""
      : ` (a candidate: ${candidate.recent} documents lately, ${candidate.growth.toFixed(1)}x the rate before)`;
  await writeAll(
    io.stdout,
    `added ${added?.name ?? name} to ${flags.quadrant} in ${flags.dictionary} as ${added?.aliases.join(", ") ?? name}${seen}; ` +
      `${dictionary.technologies.length} technologies now. Build the radar again to score it.\n`,
  );
}

export interface OverrideFlags extends DatabaseFlags {
  ring: string;
  why: string;
  by?: string;
  at?: number;
}

/** `textkit radar override NAME --ring R --why ...`. */
export async function runOverride(name: string, flags: OverrideFlags, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const o = await store.addOverride(
      {
        technology: name,
        ring: flags.ring === "auto" ? null : flags.ring,
        why: flags.why,
        by: flags.by ?? io.env["USER"] ?? "unknown",
        ...(flags.at === undefined ? {} : { at: flags.at }),
      },
      Date.now(),
    );
    await writeAll(
      io.stdout,
      flags.json === true
        ? `${JSON.stringify(o)}\n`
        : `${o.technology}: ${o.ring ?? "back to its score"} from ${new Date(o.at).toISOString().slice(0, 10)}, by ${o.by}: ${o.why}\n`,
    );
  });
}
