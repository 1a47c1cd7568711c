/**
 * `textkit monitor import`: documents from a CSV/TSV/JSONL file into the monitor's
 * database, classified by the configuration's models from a models directory. Every row is
 * checked before the first is stored, so a file with a bad row changes nothing; an import
 * cut off half-way is finished by running it again (documents already stored are skipped
 * as duplicates and counted once).
 */
import { basename } from "node:path";
import { type Command, Option } from "commander";
import {
  loadDirectoryModels,
  Monitor,
  type MonitorDocumentInput,
  parseDocumentInput,
  REDIS_DEFAULTS,
  readMonitorConfig,
} from "../apps/monitor/index.ts";
import { TextkitError } from "../core/index.ts";
import { readObjects, TABLE_FORMATS, type TableFormat } from "../data/index.ts";
import { defaultDatabaseLocation } from "../server/index.ts";
import { openDatabase } from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";

interface ImportFlags {
  config: string;
  models: string;
  input: string;
  format?: TableFormat;
  delimiter?: string;
  textColumn?: string;
  titleColumn?: string;
  idColumn?: string;
  timeColumn?: string;
  source?: string;
  database?: string;
  dataDir?: string;
  quiet?: boolean;
  json?: boolean;
}

/** Rows read and checked at a time. */
const CHUNK = 2_000;

/** A file row as the monitor reads it: the flags' columns under the monitor's names. */
function documentOf(row: Record<string, unknown>, flags: ImportFlags, line: number): MonitorDocumentInput {
  const record: Record<string, unknown> = { ...row };
  const rename = (column: string | undefined, to: string) => {
    if (column === undefined) return;
    if (!Object.hasOwn(row, column)) {
      throw new TextkitError("DATA_MISSING_COLUMN", `line ${line} has no column "${column}"`, {
        file: flags.input,
        line,
        column,
      });
    }
    record[to] = row[column];
  };
  rename(flags.textColumn, "text");
  rename(flags.titleColumn, "title");
  rename(flags.idColumn, "id");
  rename(flags.timeColumn, "publishedAt");
  if (record["source"] === undefined || record["source"] === null || record["source"] === "") {
    record["source"] = flags.source ?? basename(flags.input);
  }
  return parseDocumentInput(record, { file: flags.input, line });
}

async function* documentChunks(flags: ImportFlags): AsyncGenerator<MonitorDocumentInput[]> {
  let chunk: MonitorDocumentInput[] = [];
  for await (const batch of readObjects(flags.input, {
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
  })) {
    for (let i = 0; i < batch.rows.length; i++) {
      chunk.push(documentOf(batch.rows[i]!, flags, batch.lines[i]!));
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function runImport(flags: ImportFlags, io: CliIo): Promise<void> {
  const config = readMonitorConfig(flags.config);
  const models = await loadDirectoryModels(flags.models, config);
  // Every row is checked first, so that a bad one stops the import before anything is stored.
  let total = 0;
  for await (const chunk of documentChunks(flags)) total += chunk.length;
  if (total === 0)
    throw new TextkitError("DATA_EMPTY", `${flags.input} has no documents`, { file: flags.input });

  const location = flags.database ?? defaultDatabaseLocation(flags.dataDir ?? io.env["TEXTKIT_DATA_DIR"]);
  const db = await openDatabase(location);
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet === true });
  try {
    const monitor = await Monitor.open({ db, config, models, sources: false });
    const started = performance.now();
    let done = 0;
    let stored = 0;
    let duplicates = 0;
    const topics = new Map<string, number>();
    for await (const chunk of documentChunks(flags)) {
      const outcome = await monitor.submit(chunk);
      stored += outcome.stored;
      duplicates += outcome.duplicates;
      for (const r of outcome.results) {
        if (r.status === "stored")
          topics.set(`${r.topic}\t${r.sentiment}`, (topics.get(`${r.topic}\t${r.sentiment}`) ?? 0) + 1);
      }
      done += chunk.length;
      const seconds = (performance.now() - started) / 1000;
      bar.update({
        epoch: 1,
        epochs: 1,
        progress: done / total,
        speed: done / seconds,
        unit: "docs",
        etaSeconds: (seconds / done) * (total - done),
      });
    }
    bar.finish();
    const alerts = await monitor.evaluateAlerts();
    await monitor.stop();
    const seconds = (performance.now() - started) / 1000;
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({
          input: flags.input,
          database: db.location,
          documents: total,
          stored,
          duplicates,
          seconds,
          byTopicAndSentiment: Object.fromEntries(topics),
          alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, topic: a.topic, message: a.message })),
        })}\n`,
      );
      return;
    }
    const lines = [
      `${flags.input}: ${total} documents, ${stored} stored, ${duplicates} already there, in ${seconds.toFixed(1)} s (${Math.round(total / Math.max(seconds, 1e-9))} docs/s)`,
      `database: ${db.location}`,
    ];
    if (topics.size > 0) {
      lines.push("", "stored by topic and sentiment:");
      for (const [key, n] of [...topics].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
        const [topic, sentiment] = key.split("\t");
        lines.push(`  ${topic!.padEnd(20)} ${sentiment!.padEnd(10)} ${String(n).padStart(8)}`);
      }
    }
    for (const a of alerts) lines.push("", `alert (${a.rule}): ${a.message}`);
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  } finally {
    await db.close();
  }
}

const seconds = (ms: number): string => `${ms / 1000} s`;

/** The configuration file, every Redis setting with its default, and the takeover each gives. */
const MONITOR_CONFIG_HELP = `
monitor.json:
  {"models": {"topic": "<model>", "sentiment": "<model>", "entities": "<tagger>"},
   "rules": [{"id": "neg", "kind": "negative_share" | "volume_spike" | "keyword", "topic": "*",
              "window": "1h", "baseline": 24, "z": 3, "minDocs": 20, "cooldown": "6h",
              "keywords": [...]}],
   "webhooks": [{"url": "https://...", "secret": "..."}],
   "feeds": [{"url": "https://.../rss", "interval": "5m"}],
   "redis": {"url": "redis://127.0.0.1:6379", "stream": "news"}}
Model names are directories of the models directory; a model per language is {"en": ..., "zh": ...}.

redis (a consumer group: start more processes to read faster; see the README, "Operating
several processes"):
  url               redis:// or rediss:// URL (required)
  stream            the stream to read (required)
  group             consumer group shared by every process (default "${REDIS_DEFAULTS.group}")
  consumer          this process's name in the group (default <host>-<pid>); a fixed name
                    lets a restarted process resume its own pending entries at once
  batchSize         entries read at a time, 1-10000 (default ${REDIS_DEFAULTS.batchSize}); a process holds
                    two batches: one is stored while the next is classified
  startFrom         where a new group starts: "beginning" or "new" (default "${REDIS_DEFAULTS.startFrom}")
  claimIdle         entries idle this long belong to a dead consumer and are taken over,
                    e.g. "500ms", "5s", "2m" (default ${seconds(REDIS_DEFAULTS.claimIdleMs)}): takeover within
                    claimIdle + 1 s; live consumers keep their own entries fresh
  removeIdle        consumers with nothing pending idle this long leave the group
                    (default ${REDIS_DEFAULTS.removeIdleMs / 60_000} minutes)
  deadLetterStream  where entries that are not documents go, with the error
                    (default "<stream>:dead")
`;

/**
 * `textkit monitor ...`.
 *
 * @example
 * registerMonitor(program, io);
 */
export function registerMonitor(program: Command, io: CliIo): void {
  const monitor = program
    .command("monitor")
    .summary("the opinion monitor: import documents (serve it with 'textkit serve --monitor')")
    .description(
      "The opinion monitor tags news, reports and posts with topic and sentiment (and entities), keeps trends " +
        "per topic and raises alerts. 'textkit serve --monitor monitor.json' runs it with its API and dashboard; " +
        "this command imports files into its database.",
    )
    // After the options, where commander does not wrap lines: the example keeps its indentation.
    .addHelpText("after", MONITOR_CONFIG_HELP);

  monitor
    .command("import")
    .summary("classify and store the documents of a file")
    .description(
      "Reads documents from a CSV/TSV file with a header or a JSONL file (columns text, title, id, source, url, " +
        "lang, publishedAt; other names with the --*-column flags), classifies them with the configuration's models " +
        "and stores them in the monitor's database. Every row is checked first: a bad one stops the import with its " +
        "line and nothing is stored. Documents already in the database (same source and id, or same text) are " +
        "skipped, so an import that was cut off is finished by running it again.",
    )
    .requiredOption("--config <file>", "the monitor configuration (JSON)")
    .requiredOption("--models <dir>", "directory of the models the configuration names")
    .requiredOption("--input <file>", "documents: .csv, .tsv or .jsonl")
    .addOption(
      new Option("--format <format>", "file format (default: from the extension)").argParser(
        parseChoice("--format", TABLE_FORMATS),
      ),
    )
    .option("--delimiter <char>", "CSV/TSV field delimiter")
    .option("--text-column <name>", "column of the text (default: text, body or content)")
    .option("--title-column <name>", "column of the title (default: title)")
    .option("--id-column <name>", "column of the source's id (default: id)")
    .option(
      "--time-column <name>",
      "column of the publication time, ISO 8601 or Unix seconds (default: publishedAt)",
    )
    .option("--source <name>", "source of rows that name none (default: the file's name)")
    .option("--database <location>", "a SQLite file or postgres://... URL (default: <data-dir>/textkit.db)")
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .option("-q, --quiet", "no progress line")
    .option("--json", "print one JSON object instead of text")
    .addHelpText(
      "after",
      "\nExample:\n  textkit monitor import --config monitor.json --models models --input posts.jsonl --data-dir data\n",
    )
    .action(async (flags: ImportFlags) => runImport(flags, io));
}
