import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isTextkitError, type TextkitError } from "../../core/index.ts";
import { loadKnowledge } from "./knowledge.ts";
import { applyKnowledgeEdits, parseKnowledgeItem } from "./knowledge-edits.ts";
import { DEFAULT_SETTINGS } from "./knowledge-rules.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-knowledge-"));
after(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

function folder(files: Record<string, string>): string {
  const dir = join(root, `k${count++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function refused(files: Record<string, string>, code: string): Promise<TextkitError> {
  try {
    await loadKnowledge(folder(files));
  } catch (e) {
    assert.ok(isTextkitError(e), String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail("accepted");
}

const TWO = `intents:
  - id: balance
    examples: [what is my balance, how much money do I have]
    answer: You have $1,204.50 in checking.
  - id: transfer
    examples:
      - send money to savings
    answer: Sent {amount}.
    slots:
      amount: { entity: MONEY, prompt: How much? }
out_of_scope:
  - what is the capital of peru
`;

describe("loadKnowledge", () => {
  it("reads intents, out-of-scope examples, FAQs from YAML and CSV, documents and settings", async () => {
    const k = await loadKnowledge(
      folder({
        "assistant.yaml": "name: norvale\nhandover: Passing you to a colleague.\n",
        "intents.yaml": TWO,
        "faq.yaml":
          "faqs:\n  - id: abroad\n    question: Can I use my card abroad?\n    alternatives: [card overseas]\n    answer: Yes.\n",
        "faq-extra.csv": 'id,question,answer\nhours,"When are you open?","9 to 5, Monday to Friday."\n',
        "docs/cards.md": "# Cards\n\nA card.\n",
        "docs/sub/fees.html": "<h1>Fees</h1><p>None.</p>",
        "docs/notes.pdf": "ignored",
      }),
    );
    assert.equal(k.settings.name, "norvale");
    assert.equal(k.settings.handover.en, "Passing you to a colleague.");
    assert.deepEqual(
      k.intents.map((i) => [i.id, i.examples.length, i.slots.map((s) => s.name)]),
      [
        ["balance", 2, []],
        ["transfer", 1, ["amount"]],
      ],
    );
    assert.equal(k.intents[1]!.line, 5);
    assert.deepEqual(k.outOfScope, [{ text: "what is the capital of peru", lang: "en" }]);
    assert.deepEqual(
      k.faqs.map((f) => [f.id, f.alternatives, f.answer]),
      [
        ["abroad", ["card overseas"], "Yes."],
        ["hours", [], "9 to 5, Monday to Friday."],
      ],
    );
    assert.deepEqual(
      k.documents.map((d) => [d.name, d.format]),
      [
        ["cards.md", "markdown"],
        ["sub/fees.html", "html"],
      ],
    );
  });

  it("names the file and line of each mistake", async () => {
    const noExamples = await refused(
      { "intents.yaml": "intents:\n  - id: a\n    answer: x\n  - id: b\n    examples: []\n    answer: y\n" },
      "KNOWLEDGE_INVALID",
    );
    // No examples key: the intent's own line.
    assert.match(noExamples.message, /intents\.yaml:2: intents\[0\]\.examples: intent "a" has no examples/);
    assert.equal(noExamples.line, 2);
    const slot = await refused(
      {
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: Sent {amount} on {date}.\n    slots:\n      amount: { pattern: '\\d+', prompt: How much? }\n  - id: b\n    examples: [y]\n    answer: z\n",
      },
      "KNOWLEDGE_INVALID",
    );
    assert.match(
      slot.message,
      /intents\.yaml:4: .*names the slot \{date\}, which intent "a" does not declare/,
    );
    const duplicate = await refused(
      {
        "intents.yaml": "intents:\n  - id: a\n    examples: [x]\n    answer: y\n",
        "intents-more.yaml": "intents:\n  - id: a\n    examples: [z]\n    answer: w\n",
      },
      "DATA_DUPLICATE_ID",
    );
    // Files are read in name order: intents-more.yaml comes first.
    assert.match(
      duplicate.message,
      /\/intents\.yaml:2: the intent id "a" is used already, at .*intents-more\.yaml:2/,
    );
    const both = await refused(
      {
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: '{v}'\n    slots:\n      v: { entity: DATE, pattern: x, prompt: When? }\n  - id: b\n    examples: [y]\n    answer: z\n",
      },
      "KNOWLEDGE_INVALID",
    );
    assert.match(both.message, /exactly one of entity .* or pattern/);
    const regex = await refused(
      {
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: '{v}'\n    slots:\n      v: { pattern: '(unclosed', prompt: What? }\n  - id: b\n    examples: [y]\n    answer: z\n",
      },
      "KNOWLEDGE_INVALID",
    );
    assert.match(regex.message, /slots\.v\.pattern: is not a valid regular expression/);
    const noPrompt = await refused(
      {
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: '{v}'\n    slots:\n      v: { entity: DATE }\n  - id: b\n    examples: [y]\n    answer: z\n",
      },
      "KNOWLEDGE_INVALID",
    );
    assert.match(noPrompt.message, /a required slot needs a prompt/);
    const unknownKey = await refused(
      { "intents.yaml": "intents:\n  - id: a\n    example: [x]\n    answer: y\n" },
      "KNOWLEDGE_INVALID",
    );
    assert.match(unknownKey.message, /intents\.yaml:3: intents\[0\]\.example: is not a setting here/);
    const yaml = await refused(
      { "intents.yaml": "intents:\n  - id: a\n    examples: [x\n" },
      "KNOWLEDGE_INVALID",
    );
    assert.equal(yaml.file?.endsWith("intents.yaml"), true);
    const faqDuplicate = await refused(
      {
        "faq.yaml": "faqs:\n  - { id: f, question: q, answer: a }\n",
        "faq.csv": "id,question,answer\nf,q2,a2\n",
      },
      "DATA_DUPLICATE_ID",
    );
    assert.match(faqDuplicate.message, /faq\.csv:2: the FAQ id "f" is used already/);
    const faqEmpty = await refused({ "faq.csv": "id,question,answer\nf,,a\n" }, "KNOWLEDGE_INVALID");
    assert.match(faqEmpty.message, /faq\.csv:2: the question is empty/);
    const one = await refused(
      { "intents.yaml": "intents:\n  - id: only\n    examples: [x]\n    answer: y\n" },
      "KNOWLEDGE_INVALID",
    );
    assert.match(one.message, /there is one intent \("only"\)/);
    await refused({ "README.md": "nothing here" }, "DATA_EMPTY");
    await assert.rejects(
      loadKnowledge(join(root, "missing")),
      (e) => isTextkitError(e) && e.code === "DATA_FILE_NOT_FOUND",
    );
  });

  it("reads an intent's confirmation and action webhook, and names the file and line of a mistake in them", async () => {
    const ACTION = `intents:
  - id: balance
    examples: [what is my balance]
    answer: You have $1,204.50.
  - id: transfer
    examples: [send money to savings]
    answer: "Done: {amount}, reference {reference}."
    confirm: "Send {amount}? (yes/no)"
    slots:
      amount: { entity: MONEY, prompt: How much? }
    action:
      url: http://127.0.0.1:9/transfer
      secret: s3cret
      retries: 1
      fields: [reference]
  - id: close
    examples: [close my account]
    answer: Closed.
    action: { url: "https://bank.example/close" }
`;
    const k = await loadKnowledge(folder({ "intents.yaml": ACTION }));
    const [balance, transfer, close] = k.intents;
    assert.equal(balance!.confirm, false);
    assert.equal(balance!.action, null);
    assert.equal(transfer!.confirm, true);
    assert.equal(transfer!.confirmPrompt, "Send {amount}? (yes/no)");
    assert.deepEqual(transfer!.action, {
      url: "http://127.0.0.1:9/transfer",
      secret: "s3cret",
      timeoutMs: 5000,
      retries: 1,
      fields: ["reference"],
      failure: null,
    });
    // An action confirms unless told not to.
    assert.equal(close!.confirm, true);
    assert.equal(close!.confirmPrompt, null);

    const bad = async (replace: string, by: string, line: number, pattern: RegExp) => {
      const e = await refused({ "intents.yaml": ACTION.replace(replace, by) }, "KNOWLEDGE_INVALID");
      assert.match(e.message, pattern);
      assert.equal(e.line, line, e.message);
      assert.equal(e.file?.endsWith("intents.yaml"), true);
    };
    await bad(
      "http://127.0.0.1:9/transfer",
      "ftp://x/y",
      12,
      /intents\.yaml:12: intents\[1\]\.action\.url: "ftp:\/\/x\/y" is not an http/,
    );
    await bad("retries: 1", "retries: 9", 14, /action\.retries: must be a whole number from 0 to 5/);
    await bad("retries: 1", "timeoutMs: -3", 14, /action\.timeoutMs: must be a whole number from 1 to 60000/);
    await bad("retries: 1", "retry: 1", 14, /action\.retry: is not a setting here/);
    await bad(
      "fields: [reference]",
      "fields: []",
      7,
      /names \{reference\}, which intent "transfer" declares neither under slots nor under action\.fields/,
    );
    await bad(
      'confirm: "Send {amount}? (yes/no)"',
      "confirm: 3",
      8,
      /confirm: must be true, false, or the question/,
    );
    await bad(
      'confirm: "Send {amount}? (yes/no)"',
      'confirm: "Send {sum}?"',
      8,
      /confirm: names the slot \{sum\}/,
    );
    await bad("secret: s3cret", "secret: [a]", 13, /action\.secret: must be a text/);
    // Through the admin routes, the same rules, the field as a JSON pointer.
    assert.throws(
      () =>
        parseKnowledgeItem("intent", "pay", {
          examples: ["pay"],
          answer: "Paid.",
          action: { url: "ftp://x" },
        }),
      (e) => isTextkitError(e) && e.code === "KNOWLEDGE_INVALID" && e.details?.["field"] === "/action/url",
    );
  });

  it("refuses alias bombs, unresolved aliases and deep nesting with KNOWLEDGE_INVALID and the line (issue 15)", async () => {
    // Each threw ReferenceError or RangeError from the YAML library before.
    let bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 10; i++)
      bomb += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    const bombed = await refused({ "intents.yaml": bomb }, "KNOWLEDGE_INVALID");
    assert.match(
      bombed.message,
      /intents\.yaml:2: the aliases \(\*name\) from here on expand to too many values/,
    );
    assert.equal(bombed.line, 2);
    const unresolved = await refused(
      { "intents.yaml": "intents:\n  - id: a\n    examples: *nope\n" },
      "KNOWLEDGE_INVALID",
    );
    assert.match(unresolved.message, /intents\.yaml:3: the alias \*nope names no anchor &nope set before it/);
    assert.equal(unresolved.line, 3);
    const many = Array.from({ length: 101 }, (_, i) => `  - *x # ${i}`).join("\n");
    const tooMany = await refused(
      { "intents.yaml": `intents: []\nout_of_scope:\n  - &x hello\n${many}\n` },
      "KNOWLEDGE_INVALID",
    );
    assert.match(tooMany.message, /intents\.yaml:104: more than 100 aliases/);
    const shapes: [string, number][] = [
      [`intents:\n  - id: a\n    examples: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, 3],
      [`intents: ${"{a: ".repeat(5000)}${"}".repeat(5000)}\n`, 1],
      [`intents:\n${"- ".repeat(5000)}x\n`, 2],
      [`intents:\n${Array.from({ length: 70 }, (_, i) => `${" ".repeat(i + 1)}-`).join("\n")} x\n`, 65],
    ];
    // Two deep lists: the first is named.
    shapes.push([
      `out_of_scope:\n  - x\n  - ${"[".repeat(70)}${"]".repeat(70)}\n  - ${"[".repeat(70)}${"]".repeat(70)}\n`,
      3,
    ]);
    for (const [text, line] of shapes) {
      const deep = await refused({ "intents.yaml": text }, "KNOWLEDGE_INVALID");
      assert.match(deep.message, /nested more than 64 deep here/);
      assert.equal(deep.line, line);
    }
    // Five levels, as a real file has, still read.
    const slots = await refused(
      {
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: '{v}'\n    slots:\n      v: { pattern: '\\d+', prompt: [How much?] }\n  - id: b\n    examples: [y]\n    answer: z\n",
      },
      "KNOWLEDGE_INVALID",
    );
    assert.match(slots.message, /intents\.yaml:6: intents\[0\]\.slots\.v\.prompt: must be a text/);
  });

  it("says what each key of intents.yaml, faq.yaml and assistant.yaml must be, at its line", async () => {
    const cases: [Record<string, string>, number, string][] = [
      [
        { "intents.yaml": "intents:\n  - id: a\n    lang: fr\n    examples: [x]\n    answer: y\n" },
        3,
        "intents[0].lang: must be one of en, zh",
      ],
      [
        { "intents.yaml": "intents:\n  - id: a\n    examples: [x]\n    answer: y\n    slots: [v]\n" },
        5,
        "intents[0].slots: must be a mapping of keys to values",
      ],
      [
        { "intents.yaml": "intents:\n  - id: a\n    examples: [x, '  ']\n    answer: y\n" },
        3,
        "intents[0].examples[1]: must not be empty",
      ],
      [{ "intents.yaml": "intents: {a: 1}\n" }, 1, "intents: must be a list of intents"],
      [{ "faq.yaml": "faqs:\n  - id: a\n    question: q\n" }, 2, "faqs[0].answer: is required"],
      [{ "assistant.yaml": "languages: [en, fr]\n" }, 1, "languages[1]: must be one of en, zh"],
      [
        { "assistant.yaml": "language: { model: auto, minScore: 2 }\n" },
        1,
        "language.minScore: must be a probability from 0 to 1",
      ],
      [
        { "assistant.yaml": "handover:\n  en: a\n  fr: b\n" },
        3,
        "handover.fr: is not a setting here; the settings are en, zh",
      ],
    ];
    for (const [files, line, message] of cases) {
      const e = await refused(files, "KNOWLEDGE_INVALID");
      const [name] = Object.keys(files);
      assert.equal(e.message, `${join(root, `k${count - 1}`, name ?? "")}:${line}: ${message}`);
      assert.equal(e.line, line);
    }
    const k = await loadKnowledge(
      folder({
        "assistant.yaml": "handover: { zh: 转接 }\nlanguages: [zh]\n",
        "intents.yaml":
          "intents:\n  - id: a\n    examples: [x]\n    answer: 42\n    confirm: false\n  - id: b\n    examples: [z]\n    answer: w\n",
      }),
    );
    assert.deepEqual(k.settings.handover, { en: DEFAULT_SETTINGS.handover.en, zh: "转接" });
    assert.deepEqual(k.settings.languages, ["zh"]);
    assert.deepEqual([k.intents[0]?.answer, k.intents[0]?.confirm], ["42", false]);
  });

  it("refuses a list as a mapping key without the YAML library printing a warning", async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on("warning", listen);
    try {
      const key = await refused(
        { "intents.yaml": "intents:\n  - { [a, b]: 1, id: x }\n" },
        "KNOWLEDGE_INVALID",
      );
      assert.match(key.message, /is not a setting here/);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listen);
    }
    assert.deepEqual(warnings, []);
  });

  it("names the line of a YAML syntax error, of bytes that are not UTF-8 and of a second document", async () => {
    const syntax = await refused(
      { "intents.yaml": "intents:\n  - id: a\n    examples: [x\n" },
      "KNOWLEDGE_INVALID",
    );
    assert.ok((syntax.line ?? 0) >= 3, syntax.message);
    const dir = folder({ "intents.yaml": "intents: []\n" });
    writeFileSync(
      join(dir, "faq.yaml"),
      Buffer.from([0x66, 0x61, 0x71, 0x73, 0x3a, 0x0a, 0x2d, 0x20, 0xff, 0x0a]),
    );
    await assert.rejects(
      loadKnowledge(dir),
      (e) => isTextkitError(e) && e.code === "DATA_INVALID_UTF8" && e.line === 2,
    );
    const second = await refused({ "intents.yaml": "intents: []\n---\nintents: []\n" }, "KNOWLEDGE_INVALID");
    assert.match(second.message, /intents\.yaml:2: a second YAML document starts here/);
    const directory = folder({ "intents.yaml/x": "" });
    await assert.rejects(
      loadKnowledge(directory),
      (e) => isTextkitError(e) && e.code === "DATA_FILE_NOT_FOUND",
    );
    const huge = await refused({ "faq.yaml": `faqs:\n${"\n".repeat(4 * 1024 * 1024)}` }, "KNOWLEDGE_INVALID");
    assert.match(
      huge.message,
      /faq\.yaml is 4194310 bytes, more than the 4 MiB a YAML or JSON knowledge file may have/,
    );
    const deep = await refused(
      { "faq.jsonl": `{"question": ${"[".repeat(100_000)}${"]".repeat(100_000)}, "answer": "a"}\n` },
      "DATA_BAD_JSON",
    );
    assert.equal(deep.line, 1);
    const list = await refused(
      { "faq.jsonl": '{"question": [["q"]], "answer": "a"}\n' },
      "KNOWLEDGE_INVALID",
    );
    assert.match(list.message, /faq\.jsonl:1: the field "question" must be a text/);
  });

  it("applies admin edits: replaces by id, adds, removes, each checked as the files are", async () => {
    const k = await loadKnowledge(
      folder({ "intents.yaml": TWO, "faq.yaml": "faqs:\n  - { id: f, question: q, answer: a }\n" }),
    );
    const applied = applyKnowledgeEdits(k, [
      { kind: "intent", id: "balance", body: { examples: ["how rich am i"], answer: "You have $5." } },
      { kind: "faq", id: "g", body: { question: "gift cards?", answer: "No." } },
      { kind: "faq", id: "f", body: null },
      { kind: "intent", id: "never-there", body: null },
    ]);
    assert.equal(applied, 4);
    assert.deepEqual(
      k.intents.map((i) => [i.id, i.answer]),
      [
        ["balance", "You have $5."],
        ["transfer", "Sent {amount}."],
      ],
    );
    assert.deepEqual(
      k.faqs.map((f) => f.id),
      ["g"],
    );
    assert.throws(
      () => parseKnowledgeItem("intent", "x", { examples: [], answer: "y" }),
      (e) => isTextkitError(e) && e.code === "KNOWLEDGE_INVALID" && e.details?.["field"] === "/examples",
    );
  });
});
