export type { ErrorCode, ErrorLocation, TextkitErrorOptions } from "./errors.ts";
export { ERROR_CATALOGUE, isTextkitError, TextkitError } from "./errors.ts";
export { Random } from "./random.ts";
