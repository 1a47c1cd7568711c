/**
 * A tiny world for the retrieval tests: help-desk items in English and Chinese, and word
 * vectors made by hand in four dimensions (cards, secrets, money, function words), so that
 * "stolen" lies near "lost" and "card", and "password" near "pin", without sharing a term.
 */
import type { RetrievalItemInput } from "../../src/models/retrieval/index.ts";

const VECTORS: Record<string, [number, number, number, number]> = {
  card: [1, 0, 0, 0.1],
  cards: [0.95, 0, 0, 0.1],
  lost: [0.8, 0.2, 0, 0.1],
  stolen: [0.8, 0.3, 0, 0.1],
  missing: [0.75, 0.2, 0, 0.1],
  block: [0.7, 0.3, 0, 0.1],
  freeze: [0.7, 0.35, 0, 0.1],
  pin: [0, 1, 0, 0.1],
  reset: [0, 0.9, 0.1, 0.1],
  code: [0.1, 0.9, 0, 0.1],
  password: [0, 0.95, 0, 0.1],
  forgot: [0, 0.8, 0.1, 0.1],
  atm: [0.2, 0.6, 0.3, 0.1],
  transfer: [0, 0, 1, 0.1],
  send: [0, 0.1, 0.9, 0.1],
  money: [0, 0, 0.95, 0.1],
  payment: [0.1, 0, 0.9, 0.1],
  payments: [0.1, 0, 0.88, 0.1],
  account: [0.2, 0.1, 0.7, 0.1],
  app: [0.3, 0.3, 0.3, 0.3],
  the: [0.2, 0.2, 0.2, 1],
  my: [0.2, 0.2, 0.2, 1],
  your: [0.2, 0.2, 0.2, 1],
  i: [0.2, 0.2, 0.2, 1],
  a: [0.2, 0.2, 0.2, 1],
  is: [0.2, 0.2, 0.2, 1],
  it: [0.2, 0.2, 0.2, 1],
  if: [0.2, 0.2, 0.2, 1],
  in: [0.2, 0.2, 0.2, 1],
  to: [0.2, 0.2, 0.2, 1],
  with: [0.2, 0.2, 0.2, 1],
  信用卡: [1, 0, 0, 0.1],
  卡: [0.9, 0, 0, 0.1],
  丢失: [0.8, 0.2, 0, 0.1],
  挂失: [0.75, 0.3, 0, 0.1],
  密码: [0, 1, 0, 0.1],
  忘记: [0, 0.8, 0.1, 0.1],
  转账: [0, 0, 1, 0.1],
};

/** The vectors as a .vec file (fastText's text format, with its header). */
export function tinyVec(): string {
  const rows = Object.entries(VECTORS).map(([word, v]) => `${word} ${v.join(" ")}`);
  return `${rows.length} 4\n${rows.join("\n")}\n`;
}

/** Five help-desk items: three English with titles, two Chinese without. */
export function helpItems(): RetrievalItemInput[] {
  return [
    {
      id: "lost-card",
      title: "Cards > Lost card",
      text: "If your card is lost, block it in the app.",
      source: "help.md",
    },
    { id: "pin", title: "Security > PIN", text: "Reset your PIN code at any ATM.", source: "help.md" },
    {
      id: "transfer",
      title: "Payments",
      text: "Send money to another account with a transfer.",
      source: "help.md",
    },
    { id: "zh-card", text: "信用卡丢失后请立即挂失。", source: "zh.md", meta: { lang: "zh" } },
    { id: "zh-password", text: "忘记密码可以在应用里重置。", source: "zh.md", meta: { lang: "zh" } },
  ];
}
