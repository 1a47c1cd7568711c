/**
 * The words that mark a document as speaking of a risk (by category) or of the market, in
 * English and Chinese. They are matched with the same automaton as the technologies' aliases
 * (a lexicon is a small dictionary whose "technologies" are its categories), so reading them
 * costs one more pass over the text, whatever their number.
 */
import type { RadarDictionary, Technology } from "./dictionary.ts";
import { MentionMatcher } from "./matcher.ts";

export const RISK_CATEGORIES = ["security", "privacy", "bias", "maturity", "licensing"] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

/** Index of the market category in a lexicon, after the risk categories. */
export const MARKET = RISK_CATEGORIES.length;

export const DEFAULT_LEXICON: Readonly<Record<RiskCategory | "market", readonly string[]>> = Object.freeze({
  security: [
    "vulnerability",
    "vulnerabilities",
    "CVE",
    "exploit",
    "exploited",
    "security flaw",
    "security hole",
    "breach",
    "malware",
    "backdoor",
    "remote code execution",
    "zero-day",
    "supply chain attack",
    "compromised",
    "security incident",
    "漏洞",
    "安全漏洞",
    "高危漏洞",
    "攻击",
    "后门",
    "恶意代码",
    "被入侵",
    "供应链攻击",
    "安全事件",
  ],
  privacy: [
    "privacy",
    "personal data",
    "data leak",
    "leaked",
    "GDPR",
    "tracking users",
    "surveillance",
    "隐私",
    "个人信息",
    "数据泄露",
    "泄露",
    "监控用户",
  ],
  bias: [
    "bias",
    "biased",
    "discrimination",
    "unfair",
    "ethics",
    "ethical concerns",
    "偏见",
    "歧视",
    "伦理",
    "不公平",
  ],
  maturity: [
    "deprecated",
    "deprecation",
    "end of life",
    "end-of-life",
    "abandoned",
    "unmaintained",
    "no longer maintained",
    "breaking changes",
    "unstable",
    "outage",
    "migrating away",
    "弃用",
    "停止维护",
    "不再维护",
    "停更",
    "不稳定",
    "故障",
    "迁移出",
  ],
  licensing: [
    "license change",
    "relicense",
    "relicensed",
    "relicensing",
    "vendor lock-in",
    "lock-in",
    "proprietary",
    "SSPL",
    "Business Source License",
    "许可证变更",
    "协议变更",
    "闭源",
    "厂商锁定",
    "授权变更",
  ],
  market: [
    "funding",
    "raised",
    "revenue",
    "customers",
    "enterprise",
    "enterprises",
    "acquisition",
    "acquires",
    "acquired",
    "IPO",
    "valuation",
    "market share",
    "contract",
    "Fortune 500",
    "million",
    "billion",
    "融资",
    "营收",
    "收入",
    "客户",
    "企业",
    "收购",
    "上市",
    "估值",
    "市场份额",
    "采购",
    "合同",
    "亿元",
    "万元",
    "美元",
  ],
});

/** A compiled lexicon: category ids 0..4 are the risk categories, 5 is market. */
export class Lexicon {
  private readonly matcher: MentionMatcher;
  private readonly marks = new Uint8Array(RISK_CATEGORIES.length + 1);

  constructor(terms: Readonly<Record<RiskCategory | "market", readonly string[]>> = DEFAULT_LEXICON) {
    const categories = [...RISK_CATEGORIES, "market"] as const;
    const technologies: Technology[] = categories.map((name, id) => ({
      id,
      name,
      quadrant: "lexicon",
      aliases: [...new Set(terms[name])],
      caseRule: "auto",
      links: [],
      description: "",
      effortHours: 1,
      line: 0,
    }));
    const dictionary: Pick<RadarDictionary, "technologies"> = { technologies };
    this.matcher = new MentionMatcher(dictionary);
  }

  /**
   * Marks which categories `text` speaks of: `marks[c]` is 1 for each category c found.
   * The array is reused by the next call.
   */
  categoriesIn(text: string): Uint8Array {
    this.marks.fill(0);
    const n = this.matcher.scan(text);
    for (let k = 0; k < n; k++) this.marks[this.matcher.technologyAt(k)] = 1;
    return this.marks;
  }
}
