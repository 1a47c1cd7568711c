/**
 * The applications of `textkit demo`: the assistant sample's training and report, the
 * monitor's configuration and its replayed news, and the technology radar.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { AssistantOptions } from "../apps/assist/index.ts";
import { writeFileAtomic } from "../core/index.ts";
import type { RunningServer } from "../server/index.ts";
import type { SampleSpec } from "./demo-samples.ts";
import { type CliIo, writeAll } from "./io.ts";
import type { ProgressBar } from "./progress-bar.ts";

/** Trains an assistant sample with the taggers it names (when trained in this run); returns its report. */
export async function trainDemoAssistant(
  spec: SampleSpec,
  out: string,
  samples: readonly SampleSpec[],
  outs: readonly string[],
  bar: ProgressBar,
): Promise<string> {
  const { evaluateAssistant, loadKnowledge, readQuestions, trainAssistant } = await import(
    "../apps/assist/index.ts"
  );
  const { loadTagger } = await import("../models/tagger/index.ts");
  const knowledge = await loadKnowledge(join(spec.dir, spec.train));
  const taggers: Partial<Record<"en" | "zh", Awaited<ReturnType<typeof loadTagger>>>> = {};
  for (const [lang, name] of Object.entries(spec.taggers) as ["en" | "zh", string][]) {
    const at = samples.findIndex((s) => s.name === name && s.family === "tagger");
    if (at >= 0) taggers[lang] = await loadTagger(outs[at]!);
  }
  const examples = knowledge.intents.reduce((a, i) => a + i.examples.length, 0);
  bar.log(
    `knowledge: ${knowledge.intents.length} intents (${examples} examples), ${knowledge.outOfScope.length} out-of-scope examples, ` +
      `${knowledge.faqs.length} FAQs, ${knowledge.documents.length} documents; slot taggers: ${Object.keys(taggers).join(", ") || "none"}`,
  );
  const started = performance.now();
  const assistant = await trainAssistant({ knowledge, taggers }, spec.options as Partial<AssistantOptions>, {
    onProgress: (p) => bar.update(p),
  });
  bar.finish();
  await assistant.save(out);
  const v = assistant.validation;
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
  let text =
    `trained in ${((performance.now() - started) / 1000).toFixed(1)} s; intent threshold ${v.threshold.threshold.toFixed(3)} ` +
    `chosen on ${v.examples} held-out questions (in-scope accuracy ${pct(v.threshold.inScopeAccuracy)}, out-of-scope recall ${pct(v.threshold.outOfScopeRecall)})\n`;
  if (spec.test !== undefined) {
    const report = await evaluateAssistant(assistant, await readQuestions(join(spec.dir, spec.test)), {
      k: 5,
    });
    text +=
      `test (${spec.test}, ${report.questions} questions): in-scope accuracy ${pct(report.inScopeAccuracy)}, ` +
      `out-of-scope recall ${pct(report.outOfScopeRecall)}, retrieval recall@5 ${pct(report.retrievalRecall)}, ` +
      `answered right ${pct(report.answeredRight)}\n`;
  }
  return `${text}model: ${out}\n  textkit assist chat --model ${out} --why\n\n`;
}

/** The monitor of the demo: the sample topic and sentiment models, the sample taggers, three rules. */
export async function writeDemoMonitorConfig(
  out: string,
  trained: readonly string[],
): Promise<string | null> {
  if (!trained.includes("monitor-topic") || !trained.includes("monitor-sentiment")) return null;
  const entities = {
    ...(trained.includes("ner-en") ? { en: "ner-en" } : {}),
    ...(trained.includes("ner-zh") ? { zh: "ner-zh" } : {}),
  };
  const config = {
    models: {
      topic: "monitor-topic",
      sentiment: "monitor-sentiment",
      ...(Object.keys(entities).length === 0 ? {} : { entities }),
    },
    // Dates and amounts are found too, but the monitor follows who and what is talked about.
    entityLabels: ["ORG", "PER", "PRODUCT", "LOC"],
    rules: [
      {
        id: "negative-surge",
        kind: "negative_share",
        topic: "*",
        window: "1h",
        // The whole replayed history: a topic has about three documents an hour, and a day of
        // such hours leaves the baseline's spread too uncertain to call even a 90% surge.
        baseline: 47,
        z: 3,
        minDocs: 20,
        cooldown: "6h",
        description: "a topic's negative share over the last hour, far above the two days before",
      },
      {
        id: "volume-spike",
        kind: "volume_spike",
        topic: "*",
        window: "1h",
        baseline: 47,
        z: 4,
        minDocs: 30,
        cooldown: "6h",
        description: "a topic's volume over the last hour, far above the two days before",
      },
      {
        id: "outage-words",
        kind: "keyword",
        keywords: ["outage", "breach", "recall", "宕机", "泄露", "召回"],
        window: "30m",
        minDocs: 5,
        cooldown: "2h",
        description: "outages, breaches and recalls mentioned five times within half an hour",
      },
    ],
  };
  const path = join(out, "monitor.json");
  mkdirSync(out, { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/**
 * The technology radar of the demo: two years of generated technology news (English and
 * Chinese) with its planted stories, built into the server's database and printed.
 */
export async function buildDemoRadar(dataDir: string, io: CliIo): Promise<void> {
  const { openDatabase } = await import("../store/index.ts");
  const radar = await import("../apps/radar/index.ts");
  const { describeSnapshot } = await import("./radar.ts");
  mkdirSync(dataDir, { recursive: true });
  const db = await openDatabase(join(dataDir, "textkit.db"));
  try {
    const store = await radar.RadarStore.open(db);
    const dictionary = radar.parseDictionary("demo radar dictionary", radar.DEMO_DICTIONARY_YAML);
    const built = await radar.buildRadar(radar.demoCorpus(), dictionary, {
      overrides: await store.overrides(),
    });
    await store.save(built);
    const last = built.snapshots.at(-1);
    if (last !== undefined) {
      await writeAll(
        io.stdout,
        `
The technology radar of ${built.documents} generated news and posts (textkit radar --help; docs/radar.md):
${describeSnapshot(built, last.blips, last.label)}`,
      );
    }
  } finally {
    await db.close();
  }
}

/** The demo starts its monitor afresh: earlier demo documents and alerts would be days old. */
export async function clearDemoMonitor(dataDir: string): Promise<void> {
  const { openDatabase } = await import("../store/index.ts");
  const { MonitorStore } = await import("../apps/monitor/index.ts");
  const db = await openDatabase(join(dataDir, "textkit.db"));
  try {
    await (await MonitorStore.open(db)).clear();
  } finally {
    await db.close();
  }
}

/**
 * Replays the demo stream into the server's monitor, then adds everyday documents at the
 * history's rate: faster, the live feed would itself be a volume spike on every topic.
 */
export async function replayDemoStream(server: RunningServer, pool: string, io: CliIo): Promise<() => void> {
  const { demoHistory, demoLive, demoLiveIntervalMs, readDemoPool } = await import(
    "../apps/monitor/index.ts"
  );
  const monitor = server.app.textkit.monitor;
  if (monitor === null) return () => undefined;
  const documents = await readDemoPool(pool);
  const history = demoHistory(documents, Date.now());
  for (let i = 0; i < history.length; i += 200) await monitor.submit(history.slice(i, i + 200));
  const fired = await monitor.evaluateAlerts();
  io.stderr.write(
    `monitor: replayed ${history.length} demo documents over the last 48 hours` +
      (fired.length === 0 ? "\n" : `; ${fired.length} alert${fired.length === 1 ? "" : "s"} fired\n`),
  );
  const next = demoLive(documents, String(Date.now()));
  const interval = demoLiveIntervalMs(documents);
  io.stderr.write(
    `monitor: a new demo document every ${(interval / 60_000).toFixed(1)} min, the history's rate\n`,
  );
  const timer = setInterval(() => {
    monitor.submit([next(Date.now())]).catch((error: unknown) => {
      io.stderr.write(`monitor: a live demo document was not stored: ${String(error)}\n`);
    });
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
