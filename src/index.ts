/**
 * textkit's public library API: `import { trainClassifier, loadDataset } from "textkit"`.
 * Everything the command line is built from is here, named, so that code can do what the
 * CLI does. The HTTP server (what `textkit serve` runs) is its own entry, `textkit/server`,
 * so that library users who only train and predict do not load fastify.
 *
 * Built from each folder's `index.ts` (`export *`), the applications (assist, monitor, radar,
 * recommend) included, so a name a folder exports is public without a second list here.
 */
export * from "./apps/assist/index.ts";
export * from "./apps/monitor/index.ts";
export * from "./apps/radar/index.ts";
export * from "./apps/recommend/index.ts";
export * from "./artifact/index.ts";
export * from "./core/index.ts";
export * from "./data/index.ts";
export * from "./eval/index.ts";
export * from "./models/classifier/index.ts";
export * from "./models/cluster/index.ts";
export type { EncoderInfo as PretrainedEncoderInfo } from "./models/encoder/index.ts";
export * from "./models/encoder/index.ts";
export * from "./models/forecast/index.ts";
export * from "./models/numeric/index.ts";
export * from "./models/recommender/index.ts";
export * from "./models/regressor/index.ts";
// Two folders name a type EncoderInfo: retrieval's (an index's encoder) keeps the plain name
export type { EncoderInfo } from "./models/retrieval/index.ts";
export * from "./models/retrieval/index.ts";
export * from "./models/tagger/index.ts";
export * from "./models/vectors/index.ts";
export * from "./pipeline.ts";
export * from "./store/index.ts";
export * from "./text/index.ts";
export * from "./train/index.ts";
