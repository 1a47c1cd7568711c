/**
 * The options of the `tag` commands: how tagged data is read, the tagger's settings, and
 * what they print about data and evaluations.
 */
import { type Command, Option } from "commander";
import { TAG_SCHEMES } from "../core/index.ts";
import {
  CONLL_DELIMITERS,
  SPAN_END_CONVENTIONS,
  SPAN_OFFSET_UNITS,
  TAGGED_FORMATS,
  type TaggedDataset,
  type TaggedReadOptions,
} from "../data/index.ts";
import { formatEntityReport, formatTokenLevelReport } from "../eval/index.ts";
import type { TaggerEvaluation } from "../models/tagger/index.ts";
import { TEXT_LANGUAGES } from "../text/index.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";

export interface TaggedDataFlags {
  format?: (typeof TAGGED_FORMATS)[number];
  scheme?: (typeof TAG_SCHEMES)[number];
  language?: (typeof TEXT_LANGUAGES)[number];
  tagColumn?: number;
  delimiter?: (typeof CONLL_DELIMITERS)[number];
  repair?: boolean;
  offsets?: (typeof SPAN_OFFSET_UNITS)[number];
  end?: (typeof SPAN_END_CONVENTIONS)[number];
}

/**
 * Adds --format, --scheme, --language, --tag-column, --delimiter, --repair, --offsets and
 * --end to a command that reads tagged data.
 */
export function addTaggedDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        "conll (token and tag columns, blank line between sentences) or jsonl ({text, entities: [[start, end, label]]}); default: jsonl for .jsonl/.json, else conll",
      ).argParser(parseChoice("--format", TAGGED_FORMATS)),
    )
    .addOption(
      new Option(
        "--scheme <scheme>",
        "tag scheme of CoNLL files: iob1, bio or bioes (default: detected)",
      ).argParser(parseChoice("--scheme", TAG_SCHEMES)),
    )
    .addOption(
      new Option(
        "--language <lang>",
        "en tags words, zh tags characters (default: zh when most letters are Han)",
      ).argParser(parseChoice("--language", TEXT_LANGUAGES)),
    )
    .addOption(
      new Option("--tag-column <n>", "CoNLL: 0-based column of the tag (default: the last)").argParser(
        parseInteger("--tag-column", 1),
      ),
    )
    .addOption(
      new Option(
        "--delimiter <d>",
        "CoNLL: space (columns split at runs of spaces or tabs, the default) or tab (at tabs only; tokens may hold spaces)",
      ).argParser(parseChoice("--delimiter", CONLL_DELIMITERS)),
    )
    .option(
      "--repair",
      "CoNLL: read tag sequences the scheme forbids as conlleval does (an I-X that starts an entity becomes B-X) and say how many were repaired",
    )
    .addOption(
      new Option(
        "--offsets <unit>",
        "JSONL: what span offsets count: utf16 (JavaScript string indices, the default) or codepoint (Python's)",
      ).argParser(parseChoice("--offsets", SPAN_OFFSET_UNITS)),
    )
    .addOption(
      new Option(
        "--end <convention>",
        "JSONL: exclusive (end is the first character after the entity, the default) or inclusive (its last)",
      ).argParser(parseChoice("--end", SPAN_END_CONVENTIONS)),
    );
}

/** The reader options the flags stand for. */
export function taggedReadOptionsOf(flags: TaggedDataFlags): TaggedReadOptions {
  return {
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.scheme === undefined ? {} : { scheme: flags.scheme }),
    ...(flags.language === undefined ? {} : { language: flags.language }),
    ...(flags.tagColumn === undefined ? {} : { tagColumn: flags.tagColumn }),
    ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
    ...(flags.repair === true ? { repair: true } : {}),
    ...(flags.offsets === undefined ? {} : { offsets: flags.offsets }),
    ...(flags.end === undefined ? {} : { end: flags.end }),
  };
}

/**
 * One line about tagged data: `train: 600 sentences, 7,412 tokens, 1,020 entities of 6 types (en, bio) (train.conll)`.
 *
 * @example
 * describeTaggedDataset("train", dataset);
 */
export function describeTaggedDataset(name: string, dataset: TaggedDataset, note = ""): string {
  let tokens = 0;
  let entities = 0;
  for (const s of dataset.sentences) {
    tokens += s.tokens.length;
    for (const tag of s.tags) if (tag.startsWith("B-")) entities++;
  }
  let out =
    `${name}: ${dataset.sentences.length} sentences, ${tokens} tokens, ${entities} entities of ` +
    `${dataset.types.length} types [${dataset.types.join(", ")}] (${dataset.language}, ${dataset.scheme}) ` +
    `(${dataset.source}${note})`;
  const r = dataset.repairs;
  if (r !== undefined) {
    out +=
      `\n  repaired ${r.tags} tag${r.tags === 1 ? "" : "s"} in ${r.sentences} sentence${r.sentences === 1 ? "" : "s"} ` +
      `as conlleval reads them (lines ${r.lines.join(", ")}${r.tags > r.lines.length ? ", ..." : ""})`;
  }
  for (const warning of dataset.warnings ?? []) out += `\n  warning: ${warning}`;
  return out;
}

/** An evaluation as people read it: the entity report first, then the token-level ones. */
export function formatTaggerEvaluation(
  name: string,
  source: string,
  evaluation: TaggerEvaluation,
  digits: number,
): string {
  let out = `${name}: ${evaluation.sentences} sentences (${source})\n\n`;
  out += formatEntityReport(evaluation.entities, digits);
  out += `\n${formatTokenLevelReport(evaluation.tokens, digits)}`;
  out += `\n${formatTokenLevelReport(evaluation.tokensWithoutO, digits)}`;
  return out;
}

/** The headline numbers of an evaluation, for --json and run records. */
export function taggerMetrics(evaluation: TaggerEvaluation): Record<string, unknown> {
  const e = evaluation.entities;
  return {
    sentences: evaluation.sentences,
    entityF1: e.micro.f1,
    entityPrecision: e.micro.precision,
    entityRecall: e.micro.recall,
    macroF1: e.macro.f1,
    tokenAccuracy: e.tokenAccuracy,
  };
}
