export type { VectorsOptions } from "./options.ts";
export { DEFAULT_VECTORS_OPTIONS, resolveVectorsOptions } from "./options.ts";
export type { Neighbour, SubwordVectorsData } from "./subword-vectors.ts";
export { SubwordVectors } from "./subword-vectors.ts";
export type { VectorsHooks, VectorsProgress } from "./train-vectors.ts";
export { trainVectors } from "./train-vectors.ts";
