import type { EpochSummary } from "./progress.ts";

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
    train: { source: string; examples: number; fingerprint: string };
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
