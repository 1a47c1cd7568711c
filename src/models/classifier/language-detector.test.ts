import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LanguageIdentifier } from "./langid.ts";
import { LanguageDetector } from "./language-detector.ts";

describe("LanguageDetector", () => {
  it("answers with the English/Chinese detector alone, one shared answer per language", () => {
    const detector = new LanguageDetector(null);
    const texts = ["Norvale Bank app is down", "北岸银行手机银行又崩了", "Hello again", ""];
    const found = detector.detect(texts);
    assert.deepEqual(found, [
      { language: "en", score: null },
      { language: "zh", score: null },
      { language: "en", score: null },
      { language: "en", score: null },
    ]);
    assert.equal(found[0], found[2]);
    assert.ok(Object.isFrozen(found[1]));
  });

  it("takes the identifier's guess when sure enough, else the English/Chinese detector", () => {
    // A fixed identifier: "fr" for texts with "le", else a weak "de".
    const identifier: LanguageIdentifier = {
      source: "fixed",
      languages: ["fr", "de"],
      identify: (texts) =>
        texts.map((t) => [
          t.includes("le") ? { language: "fr", score: 0.9 } : { language: "de", score: 0.3 },
        ]),
    };
    const found = new LanguageDetector(identifier, 0.5).detect(["le train", "北岸银行", "bank app"]);
    assert.deepEqual(found, [
      { language: "fr", score: 0.9 },
      { language: "zh", score: null },
      { language: "en", score: null },
    ]);
  });
});
