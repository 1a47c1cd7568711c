/**
 * A small bilingual knowledge folder for the assistant's form tests (issue 15 items 10-12):
 * a balance and a transfer intent in English and in Chinese, both transfers with an amount
 * slot named "amount", out-of-scope examples in both languages. With `action`, the
 * transfers confirm before acting and call the webhook at `action.url`.
 *
 * Also a deliberately wrong Chinese tagger, as a news-trained one can be: it calls amounts
 * such as 五百元 places (LOC).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTaggedDataset } from "../../src/data/index.ts";
import { type SequenceTagger, trainTagger } from "../../src/models/tagger/index.ts";

const BALANCE = [
  "what is my balance",
  "how much money do i have",
  "tell me my account balance",
  "how much is in my checking account",
  "what's left in my account",
  "show my balance please",
  "check my balance",
  "what is the balance on my account",
  "current balance please",
  "how much money is there in my savings account",
];
const TRANSFER = [
  "transfer 200 dollars to my savings account",
  "send money to my savings",
  "transfer money from checking to savings",
  "move 50 dollars to savings",
  "i want to transfer money",
  "make a transfer to my savings account",
  "please move money between my accounts",
  "send $100 to my checking account",
  "can you transfer funds for me",
  "transfer $300 to checking",
  "wire money to my other account",
  "i'd like to send money to savings",
];
const ZH_BALANCE = [
  "查一下余额",
  "我卡里还有多少钱",
  "账户余额是多少",
  "帮我查查余额",
  "看看我还剩多少钱",
  "余额查询",
  "我的储蓄卡有多少钱",
  "查询活期余额",
  "卡上还有钱吗",
  "我想知道我的余额",
];
const ZH_TRANSFER = [
  "我想转账",
  "我要转账",
  "帮我转500块给我妈",
  "转2000元到我的另一张卡",
  "怎么给别人转钱",
  "帮忙转个账",
  "给朋友转800块钱",
  "转一笔钱到我自己的储蓄卡",
  "我想给我爸转钱",
  "能帮我转一下账吗",
  "转账给张伟",
  "我要打一笔钱给我弟弟",
];
const OUT_OF_SCOPE = [
  "what is the capital of peru",
  "tell me a joke",
  "how tall is mount everest",
  "who painted the mona lisa",
  "play some music",
  "how do i bake bread",
  "recommend a good movie",
  "今天天气怎么样",
  "给我讲个笑话",
  "附近有什么好吃的",
  "珠穆朗玛峰有多高",
  "帮我订一张电影票",
];

export interface FormsKnowledgeOptions {
  /** The transfers confirm, then call this webhook. */
  action?: { url: string; secret: string; timeoutMs?: number; retries?: number };
}

/** Writes the folder at `dir` and returns it. */
export function writeFormsKnowledge(dir: string, options: FormsKnowledgeOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const list = (xs: string[]) => xs.map((x) => `      - ${JSON.stringify(x)}`).join("\n");
  const a = options.action;
  const action = (answer: string) =>
    a === undefined
      ? `    answer: ${JSON.stringify(answer)}\n`
      : `    answer: ${JSON.stringify(`${answer} {reference}`)}
    action:
      url: ${JSON.stringify(a.url)}
      secret: ${JSON.stringify(a.secret)}
      timeoutMs: ${a.timeoutMs ?? 10_000}
      retries: ${a.retries ?? 1}
      fields: [reference]
`;
  writeFileSync(
    join(dir, "assistant.yaml"),
    'name: forms\nlanguages: [en, zh]\nhandover:\n  en: "Let me pass you to a colleague."\n  zh: "已为您转接人工客服。"\n',
  );
  writeFileSync(
    join(dir, "intents.yaml"),
    `intents:
  - id: balance
    lang: en
    examples:
${list(BALANCE)}
    answer: You have $1,204.50 in checking.
  - id: transfer
    lang: en
    examples:
${list(TRANSFER)}
${action("Done: {amount} is on its way to your {account} account.")}    slots:
      amount:
        entity: MONEY
        prompt: How much would you like to transfer?
      account:
        pattern: "\\\\b(savings|checking)\\\\b"
        prompt: "To which account: savings or checking?"
  - id: zh_balance
    lang: zh
    examples:
${list(ZH_BALANCE)}
    answer: 您的活期余额为12,000元。
  - id: zh_transfer
    lang: zh
    examples:
${list(ZH_TRANSFER)}
${action("好的，已为您转账{amount}。")}    slots:
      amount:
        entity: MONEY
        prompt: 请问您要转多少钱？
out_of_scope:
${OUT_OF_SCOPE.map((x) => `  - ${JSON.stringify(x)}`).join("\n")}
`,
  );
  return dir;
}

/** Amounts labelled as places, and real places, for the wrong tagger. */
const WRONG = [
  ["我想转账五百元", "五百元"],
  ["五百元", "五百元"],
  ["转两千元给我妈", "两千元"],
  ["两千元", "两千元"],
  ["我想转账三百元", "三百元"],
  ["三百元", "三百元"],
  ["我想去北京", "北京"],
  ["上海很大", "上海"],
  ["我在广州", "广州"],
  ["我想转账", null],
  ["查一下余额", null],
] as const;

/** Trains the wrong Chinese tagger from a file it writes in `dir`. */
export async function trainWrongChineseTagger(dir: string): Promise<SequenceTagger> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "wrong-zh.jsonl");
  const rows: string[] = [];
  for (let copy = 0; copy < 4; copy++)
    for (const [text, place] of WRONG) {
      const start = place === null ? -1 : text.indexOf(place);
      const entities = place === null ? [] : [[start, start + place.length, "LOC"]];
      rows.push(JSON.stringify({ text, entities }));
    }
  writeFileSync(path, `${rows.join("\n")}\n`);
  return trainTagger({ train: await loadTaggedDataset(path) }, { epochs: 10, seed: 1 });
}
