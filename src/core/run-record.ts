import type { EpochSummary } from "./progress.ts";
import { TEXTKIT_VERSION } from "./version.ts";

/**
 * What one training run leaves behind for people and for the dashboard: the settings,
 * the curve per epoch, and the final report. Plain data, written as run.json.
 */
export interface RunRecord {
  runId: string;
  family: string;
  task: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  options: Record<string, unknown>;
  data: {
    /** `chunks`: training pieces, when the texts were cut into them (classifier chunkTokens). */
    train: { source: string; examples: number; fingerprint: string; chunks?: number };
    dev?: { source: string; examples: number };
  };
  epochs: EpochSummary[];
  stoppedEarly: boolean;
  bestEpoch: number;
  final: Record<string, unknown>;
}

export function newRunId(startedAt: Date, seed: number): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return `${stamp}-s${seed}`;
}

/**
 * The manifest fields every model family derives from its run record: the training data's
 * fingerprint and size, the final metrics, the textkit version, and, when SOURCE_DATE_EPOCH
 * is set, a pinned creation time (determinism is about weights; this pins the manifest too).
 *
 * @example
 * const manifest = { family: "tagger", task: "entities", options, ...runManifestFields(model.runRecord) };
 */
export function runManifestFields(record: RunRecord | null): {
  data?: { fingerprint: string; examples: number; source: string };
  metrics?: Record<string, unknown>;
  textkitVersion: string;
  createdAt?: string;
} {
  const epoch = process.env["SOURCE_DATE_EPOCH"];
  return {
    ...(record === null
      ? {}
      : {
          data: {
            fingerprint: record.data.train.fingerprint,
            examples: record.data.train.examples,
            source: record.data.train.source,
          },
          metrics: record.final,
        }),
    textkitVersion: TEXTKIT_VERSION,
    ...(epoch === undefined ? {} : { createdAt: new Date(Number(epoch) * 1000).toISOString() }),
  };
}

/** run.json as a model directory holds it (nothing without a record). */
export function runRecordFiles(record: RunRecord | null): Record<string, Uint8Array> {
  return record === null ? {} : { "run.json": Buffer.from(`${JSON.stringify(record, null, 2)}\n`) };
}

/** The run record a model directory holds, if any (see runRecordFiles). */
export function runRecordOf(files: Record<string, Buffer>): RunRecord | null {
  const run = files["run.json"];
  return run === undefined ? null : (JSON.parse(run.toString("utf8")) as RunRecord);
}
