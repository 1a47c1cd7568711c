/**
 * The signature textkit puts on the webhooks it sends (monitor alerts, assistant actions):
 * `X-Textkit-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>`, so a
 * receiver can check that the body came from a holder of the secret, unchanged.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header the signature travels in. */
export const WEBHOOK_SIGNATURE_HEADER = "x-textkit-signature";

/**
 * The signature header's value for `body`.
 *
 * @example
 * signWebhookBody("s3cret", '{"a":1}'); // "sha256=…" (64 hex digits)
 */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Whether `signature` (the header's value) is the one `secret` gives `body`; constant time. */
export function verifyWebhookSignature(secret: string, body: string, signature: string | undefined): boolean {
  if (signature === undefined) return false;
  const want = Buffer.from(signWebhookBody(secret, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
