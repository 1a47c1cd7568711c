import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import { isTextkitError } from "./errors.ts";
import { checkShape } from "./json-shape.ts";

const Spec = Type.Object({
  name: Type.String({ minLength: 1, description: "a non-empty string" }),
  family: Type.Optional(Type.Union([Type.Literal("a"), Type.Literal("b"), Type.Literal("c")])),
  rules: Type.Optional(Type.Array(Type.Object({ share: Type.Number({ minimum: 0, maximum: 1 }) }))),
});

function refusal(value: unknown): { message: string; field: unknown; file: unknown; line: unknown } {
  try {
    checkShape(Spec, value, { file: "spec.json", line: 3 });
  } catch (e) {
    if (isTextkitError(e))
      return { message: e.message, field: e.details?.["field"], file: e.file, line: e.line };
    throw e;
  }
  throw new Error("accepted");
}

describe("checkShape", () => {
  it("returns the value, typed, when it fits", () => {
    const spec = checkShape(Spec, { name: "x", family: "b", extra: 1 }, { file: "spec.json" });
    assert.equal(spec.name, "x");
    assert.equal(spec.family, "b");
  });

  it("names the file, the line, the key and what it must be", () => {
    assert.deepEqual(refusal({ name: "" }), {
      message: '"name" must be a non-empty string, got ""',
      field: "/name",
      file: "spec.json",
      line: 3,
    });
    assert.equal(refusal({ name: "x", family: "d" }).message, '"family" must be "a", "b" or "c", got "d"');
    const nested = refusal({ name: "x", rules: [{ share: 0.5 }, { share: 2 }] });
    assert.equal(nested.field, "/rules/1/share");
    assert.match(nested.message, /^"rules\.1\.share" must be .*2/);
    assert.match(refusal([]).message, /^the file must be/);
  });
});
