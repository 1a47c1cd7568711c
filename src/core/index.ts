export { compareCodePoints } from "./code-point-order.ts";
export type { ErrorCode, ErrorLocation, TextkitErrorOptions } from "./errors.ts";
export { ERROR_CATALOGUE, isTextkitError, TextkitError } from "./errors.ts";
export { minimizeGoldenSection } from "./golden-section.ts";
export type { PiiKind, PiiMatch } from "./pii.ts";
export { findPersonalData, maskDeep, maskPersonalData, PII_KINDS } from "./pii.ts";
export { Random } from "./random.ts";
export { TEXTKIT_VERSION } from "./version.ts";
export { signWebhookBody, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "./webhook-signature.ts";
