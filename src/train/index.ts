export { EarlyStopping } from "./early-stopping.ts";
export { EpochLog } from "./epoch-log.ts";
