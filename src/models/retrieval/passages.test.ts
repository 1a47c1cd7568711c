import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TextkitError } from "../../core/index.ts";
import { splitDocument } from "./passages.ts";

const MARKDOWN = `---
layout: help
---
# Cards

Everything about your **debit** and credit cards, from ordering one to closing it.

## Lost card

If your card is lost or stolen, [block it in the app](https://example.com/block) at once.
Then call us: we send a new one within *five* days.

## Card declined

A payment can be declined for three reasons.

- The card is blocked
- The limit is reached
- The shop is abroad

\`\`\`
# not a heading
app > cards > unblock
\`\`\`

Setext title
------------

Under a setext heading.
`;

describe("splitDocument: Markdown", () => {
  const passages = splitDocument(MARKDOWN, { format: "markdown", source: "help.md", minChars: 60 });

  test("splits on headings, keeps the heading path as the title, strips the markup", () => {
    assert.deepEqual(
      passages.map((p) => p.title),
      ["Cards", "Cards > Lost card", "Cards > Card declined", "Cards > Setext title"],
    );
    assert.equal(
      passages[0]!.text,
      "Everything about your debit and credit cards, from ordering one to closing it.",
    );
    assert.equal(
      passages[1]!.text,
      "If your card is lost or stolen, block it in the app at once.\nThen call us: we send a new one within five days.",
    );
    assert.deepEqual(
      passages.map((p) => p.id),
      ["help.md#1", "help.md#2", "help.md#3", "help.md#4"],
    );
    assert.ok(passages.every((p) => p.source === "help.md"));
    assert.ok(!passages.some((p) => p.text.includes("layout")), "front matter is not text");
  });

  test("short paragraphs of a section are merged; a code block keeps its text without the fences", () => {
    // The sentence, the list and the code block are each shorter than minChars: one passage.
    assert.equal(
      passages[2]!.text,
      "A payment can be declined for three reasons.\n\nThe card is blocked\nThe limit is reached\nThe shop is abroad" +
        "\n\n# not a heading\napp > cards > unblock",
    );
    assert.equal(passages[3]!.text, "Under a setext heading.");
    // Each stands alone when merging is off.
    const apart = splitDocument(MARKDOWN, { format: "markdown", source: "help.md", minChars: 0 });
    assert.equal(apart.length, 6);
    assert.equal(apart[4]!.text, "# not a heading\napp > cards > unblock");
  });

  test("offsets point at the passage in the original text", () => {
    for (const p of passages) {
      const slice = MARKDOWN.slice(p.start, p.end);
      const firstWord = p.text.split(/\s/)[0]!;
      assert.ok(slice.includes(firstWord), `${p.id}: ${JSON.stringify(slice)}`);
    }
    const lost = passages[1]!;
    assert.ok(MARKDOWN.slice(lost.start, lost.end).startsWith("If your card is lost"));
    assert.ok(MARKDOWN.slice(lost.start, lost.end).endsWith("within *five* days."));
  });
});

describe("splitDocument: long paragraphs and plain text", () => {
  test("a long paragraph is cut at sentence ends, English and Chinese, each piece an exact slice", () => {
    const sentences = Array.from({ length: 12 }, (_, i) => `Sentence number ${i + 1} says something useful.`);
    const text = sentences.join(" ");
    const passages = splitDocument(text, { format: "text", source: "long.txt", maxChars: 120, minChars: 0 });
    assert.ok(passages.length > 1);
    for (const p of passages) {
      assert.ok(p.text.length <= 120, p.text);
      assert.equal(text.slice(p.start, p.end), p.text);
      assert.match(p.text, /^Sentence number \d+.*useful\.$/);
    }
    assert.equal(passages.map((p) => p.text).join(" "), text);

    const chinese = "信用卡丢失后请立即致电客服。我们会冻结您的卡片！新卡将在五个工作日内寄出？谢谢。";
    const zh = splitDocument(chinese, { format: "text", source: "zh.txt", maxChars: 16, minChars: 0 });
    assert.deepEqual(
      zh.map((p) => p.text),
      ["信用卡丢失后请立即致电客服。", "我们会冻结您的卡片！", "新卡将在五个工作日内寄出？谢谢。"],
    );
  });

  test("a sentence longer than maxChars is cut at a space, text without spaces at maxChars", () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const pieces = splitDocument(words, { format: "text", source: "w", maxChars: 50, minChars: 0 });
    assert.ok(pieces.every((p) => p.text.length <= 50 && !p.text.startsWith(" ")));
    assert.equal(pieces.map((p) => p.text).join(" "), words);
    const han = "字".repeat(25);
    assert.deepEqual(
      splitDocument(han, { format: "text", source: "h", maxChars: 10, minChars: 0 }).map(
        (p) => p.text.length,
      ),
      [10, 10, 5],
    );
  });

  test("plain text: paragraphs by blank lines, short neighbours merged as exact slices", () => {
    const long = "A longer paragraph that stands on its own, being some ninety characters long in all, see?";
    const text = `Short one.\n\nShort two.\n\n${long}`;
    const passages = splitDocument(text, { format: "text", source: "t.txt", maxChars: 100, minChars: 40 });
    assert.equal(passages.length, 2);
    assert.equal(passages[0]!.text, "Short one.\n\nShort two.");
    assert.equal(text.slice(passages[0]!.start, passages[0]!.end), passages[0]!.text);
    assert.equal(passages[0]!.title, null);
    assert.deepEqual(splitDocument(" \n\n ", { format: "text", source: "empty" }), []);
  });
});

describe("splitDocument: HTML", () => {
  test("headings h1-h6 become titles, script and style go, entities are decoded", () => {
    const html = `<!doctype html><html><head><title>Help centre</title><style>p { color: red }</style></head>
<body><h1>Cards</h1><h2>Lost card</h2><p>Block it in the app &amp; call us.</p>
<script>alert("x")</script><h2>PIN</h2><p>Reset your PIN at any ATM&nbsp;or in the app.</p></body></html>`;
    const passages = splitDocument(html, { format: "html", source: "help.html", minChars: 0 });
    assert.deepEqual(
      passages.map((p) => [p.title, p.text]),
      [
        ["Cards > Lost card", "Block it in the app & call us."],
        ["Cards > PIN", "Reset your PIN at any ATM or in the app."],
      ],
    );
    assert.ok(html.slice(passages[0]!.start, passages[0]!.end).startsWith("Block it in the app &amp;"));
    assert.ok(!passages.some((p) => p.text.includes("alert")));
  });
});

describe("splitDocument: options", () => {
  test("refuses bad options", () => {
    const bad = (options: Parameters<typeof splitDocument>[1]) =>
      assert.throws(
        () => splitDocument("x", options),
        (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID",
      );
    bad({ format: "markdown", source: "s", maxChars: 0 });
    bad({ format: "markdown", source: "s", maxChars: 10, minChars: 20 });
    bad({ format: "pdf" as "text", source: "s" });
  });
});
