/**
 * `textkit radar build` (documents from a file or the monitor's database, counted, scored
 * and stored, with the alerts fired) and `textkit radar demo-data` (the demo's files).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type MonitorDocument, MonitorStore, readMonitorConfig } from "../apps/monitor/index.ts";
import {
  buildRadar,
  DEMO_DICTIONARY_YAML,
  demoCorpus,
  parsePeriod,
  parseRadarDocument,
  type RadarDocument,
  readDictionary,
} from "../apps/radar/index.ts";
import { TextkitError, writeFileAtomic } from "../core/index.ts";
import { readObjects } from "../data/index.ts";
import { fireRadarAlerts } from "../server/index.ts";
import type { Database } from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { type DatabaseFlags, withStore } from "./radar-common.ts";
import { describeSnapshot } from "./radar-read.ts";

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

export interface BuildFlags extends DatabaseFlags {
  dictionary: string;
  input?: string;
  fromMonitor?: boolean;
  period: string;
  monitorConfig?: string;
}

export async function runBuild(flags: BuildFlags, io: CliIo): Promise<void> {
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

/** Writes the demo's dictionary, documents and a profile to `dir`. */
export async function runDemoFiles(dir: string, io: CliIo): Promise<void> {
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
