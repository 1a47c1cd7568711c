/**
 * `textkit radar ...`: build the technology radar from documents (a file, or the monitor's
 * database) into the application database, then read it: the rings, one blip, two dates
 * compared, suggestions for a skill profile, overrides, discovery and accepting what it
 * finds, and Build-Your-Own-Radar export and import. `textkit serve` shows the same radar
 * on its dashboard (#/radar). This file registers the subcommands; each group's work is in
 * radar-build.ts, radar-read.ts, radar-dictionary.ts and radar-byor.ts.
 */
import { type Command, Option } from "commander";
import type { CliIo } from "./io.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";
import { type BuildFlags, runBuild, runDemoFiles } from "./radar-build.ts";
import { runExport, runImport } from "./radar-byor.ts";
import { type DatabaseFlags, databaseOptions, dateFlag } from "./radar-common.ts";
import {
  type AcceptFlags,
  type OverrideFlags,
  runAccept,
  runDiscover,
  runOverride,
} from "./radar-dictionary.ts";
import { runBlip, runCompare, runShow, runSuggest } from "./radar-read.ts";

export { describeSnapshot } from "./radar-read.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `textkit radar ...`.
 *
 * @example
 * registerRadar(program, io);
 */
export function registerRadar(program: Command, io: CliIo): void {
  const radar = program
    .command("radar")
    .summary("the technology radar: build it from news and posts, read it, get suggestions")
    .description(
      "A technology radar built from technology news and posts in English and Chinese: each technology's growth g, " +
        "market impact m and risk r from its mentions, rings (adopt, trial, assess, hold) with history, forecasts, " +
        "and what to learn next for a skill profile. docs/radar.md defines every score.",
    );
  databaseOptions(
    radar
      .command("build")
      .summary("count mentions in documents and store the radar")
      .requiredOption("--dictionary <file>", "the technologies (YAML or JSON; docs/radar.md)")
      .option(
        "--input <file>",
        "documents: .jsonl, .csv or .tsv with text, time, and optional id, title, source, url, sentiment",
      )
      .option("--from-monitor", "read the documents of the monitor's database instead")
      .addOption(
        new Option("--period <period>", "week or month")
          .default("week")
          .argParser(parseChoice("--period", ["week", "month"])),
      )
      .option("--monitor-config <file>", "fire alerts to the webhooks of this monitor configuration")
      .addHelpText(
        "after",
        "\nExample:\n  textkit radar build --dictionary tech.yaml --input docs.jsonl --data-dir data\n",
      ),
  ).action(async (flags: BuildFlags) => runBuild(flags, io));
  databaseOptions(
    radar
      .command("show")
      .summary("the rings of the radar at a date")
      .option("--date <date>", "ISO date (default: latest)", dateFlag),
  ).action(async (flags: DatabaseFlags & { date?: number }) => runShow(flags, io));
  databaseOptions(
    radar
      .command("blip")
      .summary("one technology: scores, forecast, history, evidence")
      .argument("<name>", "a technology or alias"),
  ).action(async (name: string, flags: DatabaseFlags) => runBlip(name, flags, io));
  databaseOptions(
    radar
      .command("compare")
      .summary("every technology's ring at two dates")
      .requiredOption("--from <date>", "ISO date", dateFlag)
      .option("--to <date>", "ISO date (default: latest)", dateFlag),
  ).action(async (flags: DatabaseFlags & { from: number; to?: number }) => runCompare(flags, io));
  databaseOptions(
    radar
      .command("suggest")
      .summary("what to learn next for a skill profile")
      .requiredOption("--profile <file>", "YAML or JSON: hoursPerWeek, skills: [{name, level 0-5}]")
      .option("--limit <n>", "suggestions shown", parseInteger("--limit", 1), 10)
      .option("--date <date>", "ISO date (default: latest)", dateFlag),
  ).action(async (flags: DatabaseFlags & { profile: string; limit: number; date?: number }) =>
    runSuggest(flags, io),
  );
  registerRadarEdits(radar, io);
  registerRadarExchange(radar, io);
}

/** `radar override`, `radar discover` and `radar accept`: changing what the radar knows. */
function registerRadarEdits(radar: Command, io: CliIo): void {
  databaseOptions(
    radar
      .command("override")
      .summary("put a technology in a ring by hand, recording who and why")
      .argument("<name>", "the technology")
      .requiredOption("--ring <ring>", "the ring, or 'auto' to hand it back to its score")
      .requiredOption("--why <reason>", "why (kept with the override)")
      .option("--by <person>", "who decides (default: $USER)")
      .option("--at <date>", "from when (default: the latest snapshot)", dateFlag),
  ).action(async (name: string, flags: OverrideFlags) => runOverride(name, flags, io));
  databaseOptions(radar.command("discover").summary("growing terms the dictionary does not know yet")).action(
    async (flags: DatabaseFlags) => runDiscover(flags, io),
  );
  databaseOptions(
    radar
      .command("accept")
      .summary("add a discovered term to the dictionary file")
      .argument("<name>", "the term, as `radar discover` lists it (it becomes the technology's name)")
      .requiredOption(
        "--dictionary <file>",
        "the dictionary file to add it to (YAML or JSON; written atomically)",
      )
      .requiredOption("--quadrant <quadrant>", "one of the dictionary's quadrants")
      .option("--alias <alias>", "another name for it (repeat for several)", collect, [])
      .option("--description <text>", "what it is")
      .option("--force", "add it even when it is not among the stored radar's candidates")
      .addHelpText(
        "after",
        "\nExample:\n  textkit radar accept Vexel --quadrant tools --alias 维克索 --dictionary tech.yaml --data-dir data\n",
      ),
  ).action(async (name: string, flags: AcceptFlags) => runAccept(name, flags, io));
}

/** `radar export`, `radar import` and `radar demo-data`: files in and out. */
function registerRadarExchange(radar: Command, io: CliIo): void {
  databaseOptions(
    radar
      .command("export")
      .summary("the radar as Build-Your-Own-Radar CSV or JSON")
      .addOption(
        new Option("--format <format>", "csv or json")
          .default("csv")
          .argParser(parseChoice("--format", ["csv", "json"])),
      )
      .option("--date <date>", "ISO date (default: latest)", dateFlag)
      .option("--output <file>", "write here instead of standard output"),
  ).action(async (flags: DatabaseFlags & { format: "csv" | "json"; date?: number; output?: string }) =>
    runExport(flags, io),
  );
  databaseOptions(
    radar
      .command("import")
      .summary("compare a Build-Your-Own-Radar CSV or JSON with the radar")
      .argument("<file>", "BYOR CSV or JSON (name, ring, quadrant, isNew, description)")
      .option("--date <date>", "ISO date (default: latest)", dateFlag),
  ).action(async (file: string, flags: DatabaseFlags & { date?: number }) => runImport(file, flags, io));
  radar
    .command("demo-data")
    .summary("write the demo's dictionary, two years of documents and a profile")
    .argument("<dir>", "where to write tech.yaml, docs.jsonl and me.yaml")
    .action(async (dir: string) => runDemoFiles(dir, io));
}
