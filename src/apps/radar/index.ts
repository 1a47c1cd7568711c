export type { Blip, BuildOptions, RadarBuild, RadarFinding, RadarSettings, Snapshot } from "./build.ts";
export {
  applyRings,
  buildRadar,
  countDocuments,
  DEFAULT_RADAR_SETTINGS,
  findingsOf,
  radarFromCounts,
} from "./build.ts";
export type { ByorComparison, ByorEntry } from "./byor.ts";
export { BYOR_COLUMNS, byorEntries, compareByor, parseByor, toByorCsv, toByorJson } from "./byor.ts";
export type { Evidence, PeriodCounts } from "./counter.ts";
export { RadarCounter, riskWeight } from "./counter.ts";
export type { DemoCorpusOptions } from "./demo-corpus.ts";
export { DEMO_DICTIONARY_YAML, DEMO_START, DEMO_WEEKS, demoCorpus } from "./demo-corpus.ts";
export type { CaseRule, RadarDictionary, RingDefinition, Technology } from "./dictionary.ts";
export {
  CASE_RULES,
  DEFAULT_RINGS,
  findTechnology,
  isCaseSensitive,
  normalizeAlias,
  parseDictionary,
  readDictionary,
} from "./dictionary.ts";
export type { NewTechnology } from "./dictionary-edit.ts";
export { addTechnology } from "./dictionary-edit.ts";
export type { Candidate } from "./discovery.ts";
export { discoverCandidates } from "./discovery.ts";
export type { RadarDocument, RadarSentiment, RecordPlace } from "./document.ts";
export { parseRadarDocument, RADAR_SENTIMENTS } from "./document.ts";
export type { ForecastInput, MentionForecast } from "./forecast.ts";
export { forecastMentions } from "./forecast.ts";
export type { RingChange, TimelinePoint } from "./history.ts";
export { compareSnapshots, timelineOf } from "./history.ts";
export type { RiskCategory } from "./lexicon.ts";
export { DEFAULT_LEXICON, Lexicon, RISK_CATEGORIES } from "./lexicon.ts";
export type { Mention } from "./matcher.ts";
export { MentionMatcher } from "./matcher.ts";
export type { Period } from "./periods.ts";
export { addPeriods, PERIODS, parsePeriod, periodLabel, periodStart } from "./periods.ts";
export type { Movement, RingOverride, RingSettings, RingState } from "./rings.ts";
export { DEFAULT_RING_SETTINGS, MOVEMENTS, movementOf, nextRing, ringHistory, ringOf } from "./rings.ts";
export type {
  GrowthSignal,
  LearningInput,
  LearningSignal,
  MarketSignal,
  RiskCell,
  RiskSignal,
  SignalSettings,
} from "./signals.ts";
export {
  DEFAULT_SIGNAL_SETTINGS,
  growthSignal,
  learningEffect,
  marketSignal,
  matrixLevel,
  recencyWeights,
  riskSignal,
  smoothedShare,
  weightedSlope,
} from "./signals.ts";
export type { RadarSummary } from "./store.ts";
export { RadarStore } from "./store.ts";
export type { ProfileSkill, SkillProfile, Suggestion } from "./suggest.ts";
export {
  DEFAULT_HORIZON_WEEKS,
  MAX_LEVEL,
  parseProfile,
  profileFromObject,
  readProfile,
  suggest,
} from "./suggest.ts";
