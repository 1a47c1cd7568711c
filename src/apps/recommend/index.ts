export type { SplitConfig, Variant } from "./ab-split.ts";
export { assignVariant, bucketOf, checkSplit, VARIANTS } from "./ab-split.ts";
export type { DemoData, DemoOptions, PlantedTaste } from "./demo-data.ts";
export { DEMO_EVENT_TYPES, DEMO_SUBJECTS, demoInteractions, generateDemoData } from "./demo-data.ts";
export type { InterestItem } from "./interests.ts";
export { InterestMatcher } from "./interests.ts";
export type { Rate, RateDifference } from "./measurement.ts";
export { rateDifference, rateOf, Z_95 } from "./measurement.ts";
export { RecommendStore } from "./store.ts";
export type {
  AppEventInput,
  AppStats,
  GroupFigures,
  Impression,
  ImpressionInput,
  IntakeResult,
  Outcome,
} from "./store-records.ts";
export { ATTRIBUTION_WINDOW_MS, CLICK_TYPES, CONVERSION_TYPES } from "./store-records.ts";
