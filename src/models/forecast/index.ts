export type {
  ForecastOptions,
  ForecastPoint,
  ForecastResult,
  HorizonScore,
  WalkForwardReport,
} from "./forecaster.ts";
export {
  calendarFeatures,
  DEFAULT_FORECAST_OPTIONS,
  forecastSeries,
  MIN_FIT_ROWS,
  resolveForecastOptions,
  testPoints,
} from "./forecaster.ts";
export type { GrowthFit, GrowthSimulation, SimulationOptions } from "./growth.ts";
export { fitGrowth, percentileOfSorted, simulateGrowth } from "./growth.ts";
export type { SeriesReadOptions, SeriesStep, TimeSeries } from "./series.ts";
export {
  addSteps,
  describeStep,
  formatTime,
  inferStep,
  loadSeries,
  parseIsoTime,
  seriesFromValues,
} from "./series.ts";
