import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { signWebhookBody, verifyWebhookSignature } from "./webhook-signature.ts";

describe("webhook signatures", () => {
  it("are sha256=<HMAC-SHA256 of the body>, and verify only with the same secret and body", () => {
    const body = '{"intent":"transfer"}';
    const sig = signWebhookBody("s3cret", body);
    assert.equal(sig, `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
    assert.equal(verifyWebhookSignature("s3cret", body, sig), true);
    assert.equal(verifyWebhookSignature("other", body, sig), false);
    assert.equal(verifyWebhookSignature("s3cret", `${body} `, sig), false);
    assert.equal(verifyWebhookSignature("s3cret", body, undefined), false);
    assert.equal(verifyWebhookSignature("s3cret", body, "sha256=00"), false);
  });
});
