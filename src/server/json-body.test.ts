import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { parseJsonBody } from "./json-body.ts";

function refusal(body: Buffer | string): TextkitError {
  try {
    parseJsonBody(typeof body === "string" ? Buffer.from(body, "utf8") : body);
  } catch (error) {
    assert.ok(error instanceof TextkitError, String(error));
    return error;
  }
  assert.fail("the body was accepted");
}

describe("parseJsonBody", () => {
  it("parses JSON in UTF-8, astral characters and a byte order mark included", () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"text": "中文 😀 \\ud83d\\ude00", "n": [1]}')), {
      text: "中文 😀 😀",
      n: [1],
    });
    assert.deepEqual(parseJsonBody(Buffer.from('\uFEFF{"a": 1}', "utf8")), { a: 1 });
  });

  it("refuses bytes that are not UTF-8, naming the field they are in", () => {
    const latin1 = Buffer.concat([
      Buffer.from('{"inputs": ["ok", "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"]}'),
    ]);
    const e = refusal(latin1);
    assert.equal(e.code, "BODY_INVALID_UTF8");
    assert.equal(e.status, 400);
    assert.equal(e.details?.["field"], "/inputs/1");
    // UTF-8 of a surrogate (ED A0 80) is not UTF-8 either.
    const surrogateBytes = Buffer.concat([
      Buffer.from('{"text": "a'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    assert.equal(refusal(surrogateBytes).code, "BODY_INVALID_UTF8");
  });

  it("refuses an unpaired surrogate escape in a value or a key, with its JSON pointer", () => {
    const value = refusal('{"events": [{"user": "u", "item": "x\\ud800"}]}');
    assert.equal(value.code, "BODY_INVALID_UTF8");
    assert.equal(value.details?.["field"], "/events/0/item");
    const low = refusal('{"text": "\\udc00 then text"}');
    assert.equal(low.details?.["field"], "/text");
    const key = refusal('{"inputs": [{"a/b\\ud800": 1}]}');
    assert.equal(key.details?.["field"], "/inputs/0/a~1b\ud800");
  });

  it("refuses __proto__ and constructor.prototype keys with their own code, not as bad JSON", () => {
    const top = refusal('{"__proto__": {"admin": true}, "text": "hi"}');
    assert.equal(top.code, "BODY_FORBIDDEN_KEY");
    assert.equal(top.details?.["field"], "/__proto__");
    const nested = refusal('{"inputs": [{"constructor": {"prototype": {"x": 1}}}]}');
    assert.equal(nested.code, "BODY_FORBIDDEN_KEY");
    assert.equal(nested.details?.["field"], "/inputs/0/constructor/prototype");
    // Spelled with escapes, the keys have no "proto" in their bytes: still refused.
    const escaped = refusal('{"\\u005f_proto__": {"admin": true}}');
    assert.equal(escaped.code, "BODY_FORBIDDEN_KEY");
    assert.equal(escaped.details?.["field"], "/__proto__");
    const escapedNested = refusal('{"a": {"constructor": {"pr\\u006ftotype": {}}}}');
    assert.equal(escapedNested.details?.["field"], "/a/constructor/prototype");
    // A key named constructor alone is plain data.
    assert.deepEqual(parseJsonBody(Buffer.from('{"constructor": "x"}')), { constructor: "x" });
  });

  it("refuses an empty body and malformed JSON as BODY_INVALID_JSON", () => {
    assert.equal(refusal("").code, "BODY_INVALID_JSON");
    assert.equal(refusal('{"text": ').code, "BODY_INVALID_JSON");
  });
});
