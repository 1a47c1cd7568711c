/**
 * `textkit radar ...`: build the technology radar from documents (a file, or the monitor's
 * database) into the application database, then read it: the rings, one blip, two dates
 * compared, suggestions for a skill profile, overrides, discovery, and Build-Your-Own-Radar
 * export and import. `textkit serve` shows the same radar on its dashboard.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { type MonitorDocument, MonitorStore, readMonitorConfig } from "../apps/monitor/index.ts";
import {
  type Blip,
  buildRadar,
  byorEntries,
  compareByor,
  compareSnapshots,
  DEMO_DICTIONARY_YAML,
  demoCorpus,
  parseByor,
  parsePeriod,
  parseRadarDocument,
  type RadarBuild,
  type RadarDocument,
  RadarStore,
  readDictionary,
  readProfile,
  suggest,
  timelineOf,
  toByorCsv,
  toByorJson,
} from "../apps/radar/index.ts";
import { TextkitError, writeFileAtomic } from "../core/index.ts";
import { readObjects } from "../data/index.ts";
import { defaultDatabaseLocation, fireRadarAlerts } from "../server/index.ts";
import { type Database, openDatabase } from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";

interface DatabaseFlags {
  database?: string;
  dataDir?: string;
  json?: boolean;
}

async function withStore<T>(
  flags: DatabaseFlags,
  run: (store: RadarStore, db: Database) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(flags.database ?? defaultDatabaseLocation(flags.dataDir));
  try {
    return await run(await RadarStore.open(db), db);
  } finally {
    await db.close();
  }
}

function databaseOptions(command: Command): Command {
  return command
    .option("--database <location>", "a SQLite file or postgres://... URL (default: <data-dir>/textkit.db)")
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .option("--json", "print JSON instead of text");
}

function dateFlag(value: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t))
    throw new TextkitError("OPTION_INVALID", `'${value}' is not a date; write it as 2026-06-01`);
  return t;
}

async function* fileDocuments(path: string): AsyncGenerator<RadarDocument> {
  let index = 0;
  for await (const batch of readObjects(path, {})) {
    for (let i = 0; i < batch.rows.length; i++) {
      yield parseRadarDocument(batch.rows[i]!, { file: path, line: batch.lines[i]! }, index++);
    }
  }
}

/** Every document of the monitor's database, with its sentiment and entities. */
async function* monitorDocuments(db: Database): AsyncGenerator<RadarDocument> {
  const store = await MonitorStore.open(db);
  let cursor: string | undefined;
  const sentimentOf = (d: MonitorDocument) =>
    d.sentiment === "positive" || d.sentiment === "neutral" || d.sentiment === "negative"
      ? d.sentiment
      : null;
  do {
    const page = await store.documents({
      from: 0,
      to: 8.64e15,
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const d of page.documents) {
      yield {
        id: d.key,
        time: d.publishedAt,
        text: d.text,
        title: d.title,
        source: d.source,
        url: d.url,
        sentiment: sentimentOf(d),
        entities: d.entities.map((e) => ({ text: e.text, label: e.label })),
      };
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

const ARROW: Record<Blip["movement"], string> = { new: "★", in: "▲", out: "▼", gone: "✕", none: " " };

function fmt(x: number | null, digits = 2): string {
  return x === null ? "  -" : x.toFixed(digits);
}

/** The rings of one snapshot as text, quadrant by quadrant. */
export function describeSnapshot(
  radar: Pick<RadarBuild, "quadrants" | "rings">,
  blips: readonly Blip[],
  label: string,
): string {
  const lines = [`radar ${label}   (★ new, ▲ moved in, ▼ moved out, ✕ gone; score = g·m·(1 − r))`];
  for (const quadrant of radar.quadrants) {
    lines.push("", quadrant);
    for (const ring of radar.rings) {
      const here = blips.filter((b) => b.quadrant === quadrant && b.ring === ring.name);
      if (here.length === 0) continue;
      lines.push(`  ${ring.name}`);
      for (const b of here.sort((x, y) => (y.score ?? 0) - (x.score ?? 0))) {
        const by = b.override === null ? "" : `  [set by ${b.override.by}: ${b.override.why}]`;
        lines.push(
          `    ${ARROW[b.movement]} ${b.technology.padEnd(22)} score ${fmt(b.score, 3)}  g ${fmt(b.g)} m ${fmt(b.m)} r ${fmt(b.r)}  ${String(b.mentions).padStart(5)} mentions${by}`,
        );
      }
    }
    const none = blips.filter((b) => b.quadrant === quadrant && b.ring === null);
    for (const b of none)
      lines.push(`  ${ARROW[b.movement]} ${b.technology}: not enough data (${b.reason ?? "no score"})`);
  }
  return `${lines.join("\n")}\n`;
}

interface BuildFlags extends DatabaseFlags {
  dictionary: string;
  input?: string;
  fromMonitor?: boolean;
  period: string;
  monitorConfig?: string;
}

async function runBuild(flags: BuildFlags, io: CliIo): Promise<void> {
  if ((flags.input === undefined) === (flags.fromMonitor !== true)) {
    throw new TextkitError(
      "OPTION_INVALID",
      "give the documents with --input <file> or --from-monitor (one of them)",
    );
  }
  const dictionary = readDictionary(flags.dictionary);
  const webhooks =
    flags.monitorConfig === undefined
      ? []
      : readMonitorConfig(flags.monitorConfig).webhooks.map((w) => w.url);
  await withStore(flags, async (store, db) => {
    const documents = flags.input !== undefined ? fileDocuments(flags.input) : monitorDocuments(db);
    const started = performance.now();
    const radar = await buildRadar(documents, dictionary, {
      settings: { period: parsePeriod(flags.period) },
      overrides: await store.overrides(),
    });
    await store.save(radar);
    const alerts = await fireRadarAlerts(db, radar, { webhooks, now: Date.now() });
    const seconds = (performance.now() - started) / 1000;
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ database: db.location, documents: radar.documents, periods: radar.periods.length, snapshots: radar.snapshots.length, seconds, findings: radar.findings, alerts: alerts.map((a) => a.id) })}\n`,
      );
      return;
    }
    const last = radar.snapshots.at(-1);
    const head = `${radar.documents} documents, ${radar.periods.length} ${flags.period}s, ${radar.snapshots.length} snapshots in ${seconds.toFixed(1)} s; database ${db.location}\n`;
    const body =
      last === undefined
        ? "no snapshot yet: the radar needs more periods of documents\n"
        : describeSnapshot(radar, last.blips, last.label);
    const tail = radar.findings.map((f) => `alert (${f.kind}): ${f.message}`).join("\n");
    await writeAll(io.stdout, `${head}\n${body}${tail === "" ? "" : `\n${tail}\n`}`);
  });
}

async function runShow(flags: DatabaseFlags & { date?: number }, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const snapshot = await store.snapshotAt(flags.date);
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ quadrants: summary.quadrants, rings: summary.rings, snapshot })}\n`,
      );
      return;
    }
    await writeAll(io.stdout, describeSnapshot(summary, snapshot.blips, snapshot.label));
  });
}

async function runBlip(name: string, flags: DatabaseFlags, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const radar = await store.load();
    const wanted = name.toLowerCase();
    const t = radar.technologies.findIndex((x) => x.aliases.some((a) => a.toLowerCase() === wanted));
    if (t === -1)
      throw new TextkitError("RADAR_UNKNOWN_TECHNOLOGY", `'${name}' is not a technology of the radar`);
    const blip = radar.snapshots.at(-1)?.blips[t];
    if (blip === undefined) throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot yet");
    const timeline = timelineOf(radar.snapshots, t);
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ blip, timeline, evidence: radar.evidence[blip.technology] })}\n`,
      );
      return;
    }
    const lines = [
      `${blip.technology} (${blip.quadrant}): ${blip.ring ?? "no ring"}${blip.status === "insufficient" ? `, not enough data: ${blip.reason}` : ""}`,
    ];
    if (blip.status === "scored") {
      const g = blip.growth!;
      lines.push(
        `  score g·m·(1 − r) = ${fmt(blip.g)} · ${fmt(blip.m)} · (1 − ${fmt(blip.r)}) = ${fmt(blip.score, 3)}`,
        `  g: share slope ${g.slope.toFixed(3)} ± ${g.slopeStandardError.toFixed(3)} a period (R² ${g.r2.toFixed(2)}), recency-weighted ${g.weightedSlope.toFixed(3)}`,
        `  m: market share of mentions ${blip.market!.share.toFixed(2)}, presence ${blip.market!.presence.toFixed(2)}; Monte Carlo P10 ${blip.market!.p10.toFixed(2)}, P90 ${blip.market!.p90.toFixed(2)}`,
        `  r: ${blip.risk!.cells.map((c) => `${c.category} L${c.likelihoodLevel}×I${c.impactLevel} (${c.score.toFixed(2)})`).join(", ")}`,
        `  sentiment: ${blip.sentiment.negative} negative, ${blip.sentiment.positive} positive of ${blip.sentiment.rated} rated`,
      );
      if (blip.forecast !== null) {
        const f = blip.forecast;
        lines.push(
          `  forecast of mentions: ${f.p50.map((v, h) => `${v.toFixed(1)} [${f.p10[h]!.toFixed(1)}–${f.p90[h]!.toFixed(1)}]`).join(", ")}`,
          `  probability of another ring next period: ${(100 * f.ringChange).toFixed(0)}%`,
        );
      }
    }
    lines.push(
      `  rings: ${timeline
        .filter((p, k) => k === 0 || p.movement !== "none")
        .map((p) => `${p.label} ${p.ring ?? "-"}`)
        .join(" → ")}`,
    );
    for (const e of radar.evidence[blip.technology] ?? []) {
      lines.push(
        `  · ${new Date(e.time).toISOString().slice(0, 10)} ${e.source}: ${e.title}${e.risks.length > 0 ? ` [${e.risks.join(", ")}]` : ""}`,
      );
    }
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

async function runSuggest(
  flags: DatabaseFlags & { profile: string; limit: number; date?: number },
  io: CliIo,
): Promise<void> {
  await withStore(flags, async (store) => {
    const radar = await store.load();
    const profile = readProfile(flags.profile, radar);
    const shot =
      flags.date === undefined
        ? radar.snapshots.at(-1)
        : radar.snapshots.filter((s) => s.period <= flags.date!).at(-1);
    if (shot === undefined)
      throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot at that date");
    const list = suggest(radar, profile, shot).slice(0, flags.limit);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ snapshot: shot.label, suggestions: list })}\n`);
      return;
    }
    const lines = [`what to learn next (${shot.label}), by E = g·m·(1 − r)·l:`];
    list.forEach((s, k) => {
      lines.push(
        `${String(k + 1).padStart(2)}. ${s.technology} (${s.ring ?? "no ring"})  E ${s.e.toFixed(3)}  ~${Math.max(1, Math.round(s.weeks))} weeks`,
      );
      for (const r of s.reasons) lines.push(`      ${r}`);
    });
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

async function runCompare(flags: DatabaseFlags & { from: number; to?: number }, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const from = await store.snapshotAt(flags.from);
    const to = await store.snapshotAt(flags.to);
    const changes = compareSnapshots(summary, from, to);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ from: from.label, to: to.label, changes })}\n`);
      return;
    }
    const lines = [`${from.label} → ${to.label}`];
    for (const c of changes)
      lines.push(
        `  ${ARROW[c.movement]} ${c.technology.padEnd(22)} ${(c.from ?? "-").padEnd(8)} → ${c.to ?? "-"}`,
      );
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

async function runExport(
  flags: DatabaseFlags & { format: "csv" | "json"; date?: number; output?: string },
  io: CliIo,
): Promise<void> {
  await withStore(flags, async (store) => {
    const snapshot = await store.snapshotAt(flags.date);
    const entries = byorEntries(await store.summary(), snapshot);
    const text = flags.format === "json" ? toByorJson(entries) : toByorCsv(entries);
    if (flags.output === undefined) await writeAll(io.stdout, text);
    else {
      await writeFileAtomic(flags.output, text);
      await writeAll(
        io.stdout,
        `wrote ${flags.output}: ${entries.length} blips of ${snapshot.label} (Build-Your-Own-Radar ${flags.format.toUpperCase()})\n`,
      );
    }
  });
}

async function runImport(file: string, flags: DatabaseFlags & { date?: number }, io: CliIo): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${file} cannot be read`, { file, cause });
  }
  const entries = parseByor(file, text);
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const snapshot = await store.snapshotAt(flags.date);
    const comparison = compareByor(entries, snapshot, summary.rings);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ snapshot: snapshot.label, comparison })}\n`);
      return;
    }
    const lines = [`${file} (${entries.length} blips) against the radar of ${snapshot.label}:`];
    for (const c of comparison) {
      const verdict =
        c.difference === null
          ? c.theirs === null
            ? "only here"
            : c.ours === null
              ? "not on this radar"
              : ""
          : c.difference === 0
            ? "same ring"
            : c.difference > 0
              ? `${c.difference} ring(s) further out here`
              : `${-c.difference} ring(s) further in here`;
      lines.push(
        `  ${c.name.padEnd(22)} theirs ${(c.theirs ?? "-").padEnd(8)} ours ${(c.ours ?? "-").padEnd(8)} ${verdict}`,
      );
    }
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

/** Writes the demo's dictionary, documents and a profile to `dir`. */
async function runDemoFiles(dir: string, io: CliIo): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, "tech.yaml"), DEMO_DICTIONARY_YAML);
  const lines: string[] = [];
  for (const d of demoCorpus()) {
    lines.push(
      JSON.stringify({
        id: d.id,
        time: new Date(d.time).toISOString(),
        title: d.title,
        text: d.text,
        source: d.source,
        url: d.url,
        sentiment: d.sentiment,
      }),
    );
  }
  await writeFileAtomic(join(dir, "docs.jsonl"), `${lines.join("\n")}\n`);
  await writeFileAtomic(
    join(dir, "me.yaml"),
    "# A skill profile: known technologies with levels 0-5, and hours a week to learn.\nhoursPerWeek: 5\nskills:\n  - { name: TypeScript, level: 4 }\n  - { name: React, level: 3 }\n  - { name: PostgreSQL, level: 2 }\n",
  );
  await writeAll(
    io.stdout,
    `wrote ${join(dir, "tech.yaml")}, ${join(dir, "docs.jsonl")} (${lines.length} documents) and ${join(dir, "me.yaml")}\n`,
  );
}

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
  databaseOptions(
    radar
      .command("override")
      .summary("put a technology in a ring by hand, recording who and why")
      .argument("<name>", "the technology")
      .requiredOption("--ring <ring>", "the ring, or 'auto' to hand it back to its score")
      .requiredOption("--why <reason>", "why (kept with the override)")
      .option("--by <person>", "who decides (default: $USER)")
      .option("--at <date>", "from when (default: the latest snapshot)", dateFlag),
  ).action(
    async (name: string, flags: DatabaseFlags & { ring: string; why: string; by?: string; at?: number }) =>
      withStore(flags, async (store) => {
        const now = Date.now();
        const o = await store.addOverride(
          {
            technology: name,
            ring: flags.ring === "auto" ? null : flags.ring,
            why: flags.why,
            by: flags.by ?? io.env["USER"] ?? "unknown",
            ...(flags.at === undefined ? {} : { at: flags.at }),
          },
          now,
        );
        await writeAll(
          io.stdout,
          flags.json === true
            ? `${JSON.stringify(o)}\n`
            : `${o.technology}: ${o.ring ?? "back to its score"} from ${new Date(o.at).toISOString().slice(0, 10)}, by ${o.by}: ${o.why}\n`,
        );
      }),
  );
  databaseOptions(radar.command("discover").summary("growing terms the dictionary does not know yet")).action(
    async (flags: DatabaseFlags) =>
      withStore(flags, async (store) => {
        const { discovery } = await store.summary();
        const text = discovery
          .map(
            (c) =>
              `${c.term.padEnd(24)} ${c.recent} documents lately, ${c.growth.toFixed(1)}x the rate before`,
          )
          .join("\n");
        await writeAll(
          io.stdout,
          flags.json === true
            ? `${JSON.stringify(discovery)}\n`
            : `${text === "" ? "no candidates" : text}\n`,
        );
      }),
  );
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
