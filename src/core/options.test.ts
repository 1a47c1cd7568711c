import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "./errors.ts";
import { checkBoolean, checkInt, checkNumber, checkOneOf, withDefaults } from "./options.ts";

/** Asserts that `f` throws OPTION_INVALID with a message matching `message`, naming `option`. */
function refuses(f: () => void, message: RegExp, option: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isTextkitError(e));
    assert.equal(e.code, "OPTION_INVALID");
    assert.match(e.message, message);
    assert.equal(e.details?.["option"], option);
    return true;
  });
}

describe("checkInt", () => {
  it("accepts whole numbers in the range, both ends included", () => {
    checkInt("epochs", 1, 1, 10);
    checkInt("epochs", 10, 1, 10);
  });

  it("refuses fractions, values outside the range and NaN, naming the option", () => {
    refuses(() => checkInt("epochs", 0, 1, 10), /^epochs must be an integer from 1 to 10, got 0$/, "epochs");
    refuses(() => checkInt("epochs", 11, 1, 10), /got 11/, "epochs");
    refuses(() => checkInt("dim", 1.5, 1, 10), /^dim must be an integer/, "dim");
    refuses(() => checkInt("dim", Number.NaN, 1, 10), /got NaN/, "dim");
  });
});

describe("checkNumber", () => {
  it("includes the lower end unless told to exclude it", () => {
    checkNumber("reg", 0, 0, 1);
    checkNumber("reg", 1, 0, 1);
    refuses(() => checkNumber("lr", 0, 0, 10, true), /^lr must be a number > 0 and <= 10, got 0$/, "lr");
  });

  it("refuses values outside the range and NaN", () => {
    refuses(() => checkNumber("reg", -1, 0, 1), /^reg must be a number >= 0 and <= 1, got -1$/, "reg");
    refuses(() => checkNumber("reg", 2, 0, 1), /got 2/, "reg");
    refuses(() => checkNumber("reg", Number.NaN, 0, 1), /got NaN/, "reg");
  });
});

describe("checkOneOf", () => {
  it("accepts a listed name and narrows the type", () => {
    const value: unknown = "ova";
    checkOneOf("loss", value, ["softmax", "ova"] as const);
    const narrowed: "softmax" | "ova" = value;
    assert.equal(narrowed, "ova");
  });

  it("refuses anything else, listing the choices", () => {
    refuses(
      () => checkOneOf("loss", "hinge", ["softmax", "ova"]),
      /^loss must be one of softmax, ova, got 'hinge'$/,
      "loss",
    );
    refuses(() => checkOneOf("loss", undefined, ["softmax"]), /got 'undefined'/, "loss");
  });
});

describe("checkBoolean", () => {
  it("accepts true and false only", () => {
    checkBoolean("lowercase", true);
    checkBoolean("lowercase", false);
    refuses(() => checkBoolean("lowercase", 1), /^lowercase must be true or false, got '1'$/, "lowercase");
  });
});

interface Settings {
  epochs: number;
  lr: number;
  vectors: string | null;
}

describe("withDefaults", () => {
  it("puts given values over the defaults and keeps the default where a value is undefined", () => {
    const defaults: Readonly<Settings> = Object.freeze({ epochs: 10, lr: 0.5, vectors: null });
    const out = withDefaults(defaults, { lr: 0.1, epochs: undefined, vectors: null });
    assert.deepEqual(out, { epochs: 10, lr: 0.1, vectors: null });
  });

  it("returns a fresh object, leaving the defaults alone", () => {
    const defaults: Readonly<Settings> = Object.freeze({ epochs: 10, lr: 0.5, vectors: null });
    const out = withDefaults(defaults, {});
    out.epochs = 3;
    assert.equal(defaults.epochs, 10);
  });
});
