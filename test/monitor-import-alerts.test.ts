/**
 * `textkit monitor import` evaluates the alert rules once the documents are in. Into an empty
 * database, a file whose documents are all stamped "now" has no history to be compared with:
 * no volume or negative-share alert may fire (issue 15, item 13: it fired "57 documents
 * against 0.0 ± 0.0"). Once a day of history is there, a real surge still fires, and the
 * message shows the deviation it was measured against.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Random } from "../src/core/random.ts";
import { tempDir } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";
import { monitorStream, monitorText, writeMonitorModels } from "./support/monitor-data.ts";

const root = tempDir("monitor-import-alerts");
const modelsDir = join(root.path, "models");
const configPath = join(root.path, "monitor.json");

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await writeMonitorModels(modelsDir);
  writeFileSync(
    configPath,
    JSON.stringify({
      models: { topic: "topic", sentiment: "sentiment" },
      workers: 0,
      rules: [
        { id: "volume", kind: "volume_spike", window: "1h", baseline: 24, z: 4, minDocs: 30 },
        { id: "negative", kind: "negative_share", window: "1h", baseline: 24, z: 3, minDocs: 20 },
      ],
    }),
  );
});

after(() => root.remove());

interface ImportReport {
  stored: number;
  alerts: { rule: string; topic: string; message: string }[];
}

async function importFile(name: string, lines: object[], dataDir: string): Promise<ImportReport> {
  const input = join(root.path, name);
  writeFileSync(input, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  const result = await runCli([
    "monitor",
    "import",
    "--config",
    configPath,
    "--models",
    modelsDir,
    "--input",
    input,
    "--data-dir",
    dataDir,
    "--quiet",
    "--json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ImportReport;
}

describe("monitor import and the alert rules' baseline", () => {
  it("an import into an empty database fires no volume or negative-share alert", async () => {
    const rng = new Random(3);
    const docs = Array.from({ length: 57 }, (_, i) => ({
      id: `n${i}`,
      text: monitorText("money", "negative", rng),
    }));
    const report = await importFile("now.jsonl", docs, join(root.path, "empty"));
    assert.equal(report.stored, 57);
    assert.deepEqual(report.alerts, []);
  });

  it("with a day of history, a surge fires, measured against a baseline that is not 0.0 ± 0.0", async () => {
    const docs = monitorStream(Date.now(), { hours: 30, perHour: 15, surge: 60 });
    const report = await importFile("history.jsonl", docs, join(root.path, "history"));
    const volume = report.alerts.find((a) => a.rule === "volume");
    assert.ok(volume !== undefined && volume.topic === "money", JSON.stringify(report.alerts));
    assert.doesNotMatch(volume.message, /0\.0 ± 0\.0/);
    assert.match(volume.message, /against \d+\.\d ± \d+\.\d in the 24 windows before/);
  });
});
