import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isTextkitError, type TextkitError } from "../../core/index.ts";
import { parseTimestamp } from "../../data/index.ts";
import { documentKey, languageCode, parseDocumentInput, parseDocumentInputs, utcMillis } from "./document.ts";
import { TermExtractor } from "./terms.ts";

function error(fn: () => unknown): TextkitError {
  try {
    fn();
  } catch (e) {
    assert.ok(isTextkitError(e), String(e));
    return e;
  }
  assert.fail("expected an error");
}

describe("parseDocumentInput", () => {
  it("takes a document with its optional fields, and other names for text and time", () => {
    assert.deepEqual(
      parseDocumentInput({
        id: 42,
        title: " Acme up ",
        body: "Shares rose 5%",
        source: "wire",
        url: "https://example.com/a",
        language: "en-GB",
        published_at: "2026-11-30T09:00:00Z",
      }),
      {
        id: "42",
        title: "Acme up",
        text: "Shares rose 5%",
        source: "wire",
        url: "https://example.com/a",
        lang: "en",
        publishedAt: Date.parse("2026-11-30T09:00:00Z"),
      },
    );
    assert.deepEqual(parseDocumentInput({ title: "only a title", timestamp: 1_764_493_200 }), {
      text: "only a title",
      publishedAt: 1_764_493_200_000,
    });
  });

  it("names the field of a bad value in a request, and the file and line in a file", () => {
    const missing = error(() => parseDocumentInput({ title: "  ", text: "" }, { field: "/documents/3" }));
    assert.equal(missing.code, "INPUT_INVALID");
    assert.equal(missing.details?.["field"], "/documents/3/text");
    const lang = error(() =>
      parseDocumentInput({ text: "x", lang: "French" }, { file: "posts.jsonl", line: 7 }),
    );
    assert.equal(lang.file, "posts.jsonl");
    assert.equal(lang.line, 7);
    assert.match(lang.message, /posts\.jsonl:7: lang is "French"; give an ISO 639 code/);
    assert.equal(parseDocumentInput({ text: "x", lang: "fr-CA" }).lang, "fr");
    const time = error(() => parseDocumentInput({ text: "x", publishedAt: "yesterday" }, { field: "/0" }));
    assert.equal(time.code, "DATA_BAD_TIMESTAMP");
    assert.equal(time.details?.["field"], "/0/publishedAt");
    assert.equal(error(() => parseDocumentInput("just text", { field: "/1" })).details?.["field"], "/1");
    assert.equal(error(() => parseDocumentInput({ text: ["a"] })).code, "INPUT_INVALID");
  });
});

describe("parseDocumentInputs", () => {
  it("parses each document as parseDocumentInput does, and names the field of the first bad one", () => {
    const items = [
      { text: " a ", lang: "EN_us", time: "2026-11-30T09:00:00Z" },
      { body: "b", id: 7, published_at: 1_764_493_200 },
    ];
    assert.deepEqual(
      parseDocumentInputs(items, (i) => `/documents/${i}`),
      items.map((item, i) => parseDocumentInput(item, { field: `/documents/${i}` })),
    );
    const bad = [{ text: "ok" }, { text: "x", publishedAt: "yesterday" }, { text: "" }];
    const where: number[] = [];
    const time = error(() =>
      parseDocumentInputs(bad, (i) => {
        where.push(i);
        return `/documents/${i}`;
      }),
    );
    assert.equal(time.code, "DATA_BAD_TIMESTAMP");
    assert.equal(time.details?.["field"], "/documents/1/publishedAt");
    assert.match(time.message, /^\/documents\/1\/publishedAt "yesterday" is not a time/);
    // Only the failing document's location is made.
    assert.deepEqual(where, [1]);
    assert.equal(
      error(() => parseDocumentInputs([{ text: "ok" }, 3], (i) => `/${i}`)).details?.["field"],
      "/1",
    );
  });
});

describe("languageCode", () => {
  it("is the lower-cased part before - or _ when it is two or three letters", () => {
    assert.equal(languageCode("en"), "en");
    assert.equal(languageCode(" ZH-cn "), "zh");
    assert.equal(languageCode("fil_PH"), "fil");
    assert.equal(languageCode("en-"), "en");
    for (const bad of ["", "e", "engl", "e1", "-en", "fr ca", "\u00e9n", "de-"]) {
      assert.equal(languageCode(bad), bad === "de-" ? "de" : undefined, JSON.stringify(bad));
    }
  });

  it("agrees with the pattern it replaces on any string", () => {
    const reference = (tag: string): string | undefined => {
      const code = tag.trim().toLowerCase().split(/[-_]/)[0];
      return code !== undefined && /^[a-z]{2,3}$/.test(code) ? code : undefined;
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 8 }), fc.stringMatching(/^\s?[a-zA-Z]{1,4}([-_][a-zA-Z]{0,3})?\s?$/)),
        (tag) => languageCode(tag) === reference(tag),
      ),
      { numRuns: 2000 },
    );
  });
});

describe("documentKey", () => {
  it("is the source and id when there is an id, else a hash that ignores case and spacing", () => {
    assert.equal(documentKey({ id: "7", source: "wire", text: "a" }), "id:wire:7");
    assert.equal(documentKey({ id: "7", text: "a" }), "id:api:7");
    const a = documentKey({ title: "Acme Up", text: "Shares  rose\n5%" });
    assert.equal(a, documentKey({ title: "acme up", text: "shares rose 5%" }));
    assert.notEqual(a, documentKey({ title: "Acme Up", text: "Shares rose 6%" }));
    assert.match(a, /^sha256:[0-9a-f]{32}$/);
  });
});

describe("TermExtractor", () => {
  it("keeps distinct content words of the title first, without function words or numbers", () => {
    const terms = new TermExtractor(5).terms(
      "Norvale Bank app outage",
      "The app was down for 3 hours; customers were angry.",
    );
    assert.deepEqual(terms, ["norvale", "bank", "app", "outage", "down"]);
    assert.deepEqual(new TermExtractor(0).terms(null, "anything at all"), []);
  });

  it("splits Chinese into words and drops one-character function words", () => {
    const terms = new TermExtractor(10).terms(null, "北岸银行的手机银行今天又崩溃了");
    assert.ok(terms.includes("银行") || terms.includes("北岸"), terms.join(" "));
    assert.ok(!terms.includes("的") && !terms.includes("了") && !terms.includes("今天"), terms.join(" "));
  });

  it("reads a UTC time in its common form exactly as parseTimestamp does, and every other form through it", () => {
    const pad = (n: number, width: number) => String(n).padStart(width, "0");
    const times = fc
      .record({
        year: fc.oneof(fc.integer({ min: 1960, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.integer({ min: 0, max: 60 }),
        ms: fc.option(fc.integer({ min: 0, max: 999 })),
        zone: fc.constantFrom("Z", "Z", "z", "+02:00", ""),
      })
      .map(
        (t) =>
          `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:` +
          `${pad(t.second, 2)}${t.ms === null ? "" : `.${pad(t.ms, 3)}`}${t.zone}`,
      );
    const outcome = (f: () => number | undefined): number | string => {
      try {
        return f() ?? "none";
      } catch (e) {
        return isTextkitError(e) ? e.code : String(e);
      }
    };
    fc.assert(
      fc.property(times, (time) => {
        const reference = outcome(() => Math.round(parseTimestamp(time, {}, "publishedAt") * 1000));
        const read = outcome(() => parseDocumentInput({ text: "x", publishedAt: time }).publishedAt);
        assert.equal(read, reference, time);
        const fast = utcMillis(time);
        if (fast !== undefined) assert.equal(fast, reference, time);
      }),
      { numRuns: 3000, seed: 17 },
    );
    // The common form does take the quick path, and dates that do not exist do not.
    assert.equal(utcMillis("2026-11-30T09:15:00.250Z"), Date.parse("2026-11-30T09:15:00.250Z"));
    assert.equal(utcMillis("2024-02-29T00:00:00Z"), Date.parse("2024-02-29T00:00:00Z"));
    assert.equal(utcMillis("2026-02-29T00:00:00Z"), undefined);
    assert.equal(
      error(() => parseDocumentInput({ text: "x", publishedAt: "2026-02-29T00:00:00Z" })).code,
      "DATA_BAD_TIMESTAMP",
    );
  });
});
