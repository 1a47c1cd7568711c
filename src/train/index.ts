export { EarlyStopping } from "./early-stopping.ts";
export { EpochLog } from "./epoch-log.ts";
export type { EpochSummary, TrainHooks, TrainProgress } from "./progress.ts";
export type { RunRecord } from "./run-record.ts";
export { newRunId } from "./run-record.ts";
