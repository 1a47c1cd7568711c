import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { clientErrorOf, errorBody, toTextkitError } from "./error-handler.ts";

const limits = { bodyLimitBytes: 100, maxBatch: 4 };

function fastifyError(code: string, statusCode: number, message = "x"): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe("toTextkitError", () => {
  it("keeps a TextkitError as it is", () => {
    const e = new TextkitError("MODEL_NOT_FOUND", "no model");
    assert.equal(toTextkitError(e, limits), e);
  });

  it("names the field of a validation error as a JSON pointer", () => {
    const e = Object.assign(new Error("v"), {
      statusCode: 400,
      validationContext: "body",
      validation: [{ keyword: "type", instancePath: "/inputs/2", params: {}, message: "must be string" }],
    });
    const t = toTextkitError(e, limits);
    assert.equal(t.code, "INPUT_INVALID");
    assert.equal(t.message, "/inputs/2 must be string");
    assert.equal(errorBody(t).error.field, "/inputs/2");
  });

  it("points at a missing or unknown property by name", () => {
    const missing = Object.assign(new Error("v"), {
      validationContext: "body",
      validation: [{ keyword: "required", instancePath: "", params: { missingProperty: "version" } }],
    });
    assert.equal(errorBody(toTextkitError(missing, limits)).error.field, "/version");
    const extra = Object.assign(new Error("v"), {
      validationContext: "body",
      validation: [
        { keyword: "additionalProperties", instancePath: "", params: { additionalProperty: "kk" } },
      ],
    });
    assert.equal(toTextkitError(extra, limits).message, "/kk is not a known field");
  });

  it("maps too many inputs to BATCH_TOO_LARGE with the limit", () => {
    const e = Object.assign(new Error("v"), {
      validationContext: "body",
      validation: [{ keyword: "maxItems", instancePath: "/inputs", params: { limit: 4 } }],
    });
    const t = toTextkitError(e, limits);
    assert.equal(t.code, "BATCH_TOO_LARGE");
    assert.equal(t.status, 413);
    assert.match(t.message, /at most 4/);
  });

  it("maps fastify's body errors to textkit codes", () => {
    assert.equal(
      toTextkitError(fastifyError("FST_ERR_CTP_BODY_TOO_LARGE", 413), limits).code,
      "BODY_TOO_LARGE",
    );
    assert.equal(
      toTextkitError(fastifyError("FST_ERR_CTP_INVALID_JSON_BODY", 400), limits).code,
      "BODY_INVALID_JSON",
    );
    assert.equal(
      toTextkitError(fastifyError("FST_ERR_CTP_INVALID_MEDIA_TYPE", 415), limits).code,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("turns anything unexpected into INTERNAL without its message or stack", () => {
    const t = toTextkitError(new TypeError("secret detail at /srv/app.ts:10:3"), limits);
    assert.equal(t.code, "INTERNAL");
    assert.equal(t.status, 500);
    const body = JSON.stringify(errorBody(t, "req-1"));
    assert.doesNotMatch(body, /secret|app\.ts|stack/);
    assert.match(body, /"requestId":"req-1"/);
  });
});

describe("errors raised before a route", () => {
  it("maps fastify's URL errors to textkit codes and statuses", () => {
    const bad = toTextkitError(
      fastifyError("FST_ERR_BAD_URL", 400, "'/%zz' is not a valid url component"),
      limits,
    );
    assert.equal(bad.code, "URL_INVALID");
    assert.equal(bad.status, 400);
    const long = toTextkitError(fastifyError("FST_ERR_MAX_PARAM_LENGTH", 414), limits);
    assert.equal(long.code, "URL_PARAM_TOO_LONG");
    assert.equal(long.status, 414);
  });

  it("maps what Node's HTTP parser refuses to textkit codes", () => {
    const of = (code: string) => clientErrorOf(Object.assign(new Error(code), { code }));
    assert.equal(of("HPE_HEADER_OVERFLOW").code, "HEADERS_TOO_LARGE");
    assert.equal(of("HPE_HEADER_OVERFLOW").status, 431);
    assert.equal(of("ERR_HTTP_REQUEST_TIMEOUT").status, 408);
    assert.equal(of("HPE_UNEXPECTED_CONTENT_LENGTH").code, "REQUEST_MALFORMED");
    assert.equal(of("HPE_INVALID_CHUNK_SIZE").code, "REQUEST_MALFORMED");
  });
});
