/**
 * The radar's demo data: two years of short technology news and posts in English and
 * Chinese, generated from templates written for textkit (MIT licence, like the rest of the
 * project; no text is taken from elsewhere). Real, well-known technologies carry a steady
 * background; four fictional ones carry the planted stories, so that no real project is
 * said to have had an incident:
 *
 * - Quillstack (羽栈), a UI framework that rises fast from week 40 on, mostly mentioned with
 *   TypeScript and React;
 * - Brightforms (明表), a form library that declines from week 30 on;
 * - Corvid MQ (渡鸦消息队列), a message queue hit by a security incident in weeks 92 to 97;
 * - Ledgerline (账线数据库), a database with steady enterprise adoption (customers, contracts,
 *   funding in most of its documents);
 * - and Vexel, a word that no dictionary knows, growing in the last 20 weeks (discovery).
 *
 * The same seed gives the same documents.
 */
import { Random } from "../../core/index.ts";
import type { RadarDocument, RadarSentiment } from "./document.ts";

/** The demo's first week (a Monday). */
export const DEMO_START = Date.UTC(2025, 0, 6);
export const DEMO_WEEKS = 104;
const WEEK = 7 * 86_400_000;

export const DEMO_DICTIONARY_YAML = `# The radar demo's technologies (written for textkit, MIT licence).
# Quillstack, Brightforms, Corvid MQ and Ledgerline are fictional: they carry the planted stories.
quadrants: [languages-and-frameworks, platforms, tools, techniques]
technologies:
  - name: TypeScript
    quadrant: languages-and-frameworks
    aliases: [TS, 类型脚本]
    links: [https://www.typescriptlang.org]
    effortHours: 40
  - name: React
    quadrant: languages-and-frameworks
    aliases: [React.js, ReactJS]
    links: [https://react.dev]
  - name: Rust
    quadrant: languages-and-frameworks
    aliases: [Rust语言]
    effortHours: 120
  - name: Python
    quadrant: languages-and-frameworks
    aliases: [Python3]
    effortHours: 50
  - name: Kubernetes
    quadrant: platforms
    aliases: [k8s, 容器编排]
    links: [https://kubernetes.io]
    effortHours: 90
  - name: PostgreSQL
    quadrant: platforms
    aliases: [Postgres, PG数据库]
  - name: Terraform
    quadrant: tools
    aliases: [基础设施即代码工具Terraform]
  - name: Quillstack
    quadrant: languages-and-frameworks
    aliases: [羽栈]
    description: A UI framework (fictional, planted riser).
    effortHours: 50
  - name: Brightforms
    quadrant: languages-and-frameworks
    aliases: [明表]
    description: A form library (fictional, planted decliner).
  - name: Corvid MQ
    quadrant: platforms
    aliases: [CorvidMQ, 渡鸦消息队列]
    description: A message queue (fictional, planted security incident).
  - name: Ledgerline
    quadrant: platforms
    aliases: [账线数据库]
    description: A database (fictional, planted steady enterprise adoption).
  - name: Feature flags
    quadrant: techniques
    aliases: [feature toggles, 功能开关]
`;

const SOURCES_EN = ["techwire", "devnews", "hn-digest", "cloudweekly", "infra-blog", "opsforum"];
const SOURCES_ZH = ["开源中国", "掘金", "极客时间", "云栖社区", "技术周刊", "知乎专栏"];

interface Story {
  /** Name as written in English texts, and in Chinese texts. */
  en: string;
  zh: string;
  /** Expected documents per week at week w. */
  rate(w: number): number;
  /** Other technologies often named with it. */
  with?: [string, string][];
  /** Probability that a document about it speaks of the market. */
  market?: number;
  /** Probability (by week) that a document about it reports a security problem. */
  incident?(w: number): number;
}

const STORIES: Story[] = [
  { en: "TypeScript", zh: "TypeScript", rate: () => 5 },
  { en: "React", zh: "React", rate: () => 5 },
  { en: "Rust", zh: "Rust语言", rate: () => 3 },
  { en: "Python", zh: "Python", rate: () => 6 },
  { en: "Kubernetes", zh: "容器编排", rate: () => 4, market: 0.25 },
  { en: "PostgreSQL", zh: "PG数据库", rate: () => 3, market: 0.2 },
  { en: "Terraform", zh: "Terraform", rate: () => 2 },
  { en: "feature flags", zh: "功能开关", rate: () => 1.5 },
  {
    en: "Quillstack",
    zh: "羽栈",
    rate: (w) => (w < 40 ? 0.4 : Math.min(9, 0.4 * 1.06 ** (w - 40))),
    with: [
      ["TypeScript", "TypeScript"],
      ["React", "React"],
    ],
    market: 0.15,
  },
  {
    en: "Brightforms",
    zh: "明表",
    rate: (w) => (w < 30 ? 5 : Math.max(0.3, 5 * 0.955 ** (w - 30))),
    market: 0.1,
  },
  {
    en: "Corvid MQ",
    zh: "渡鸦消息队列",
    rate: (w) => (w >= 92 && w <= 97 ? 5 : 2.5),
    incident: (w) => (w >= 92 && w <= 97 ? 0.8 : 0.02),
    market: 0.15,
  },
  { en: "Ledgerline", zh: "账线数据库", rate: (w) => 2.5 + w * 0.02, market: 0.75 },
];

const EN_PLAIN = [
  "{T} {V} released with faster builds and better docs",
  "Why our team picked {T} for the new service",
  "A practical guide to {T} in production",
  "Notes from the conference: what is new in {T}",
  "Benchmarking {T} against the usual suspects",
  "Ask the forum: is {T} worth learning this year?",
];
const ZH_PLAIN = [
  "{T} {V} 发布，构建更快，文档更完善",
  "我们为什么在新项目里选择了{T}",
  "{T} 生产环境实践指南",
  "大会笔记：{T} 有哪些新变化",
  "{T} 与同类方案的性能对比",
  "今年还值得学习{T}吗？",
];
const EN_MARKET = [
  "{T} vendor signs enterprise contract with a Fortune 500 bank",
  "Startup behind {T} raised $40 million in funding",
  "More enterprise customers standardise on {T}",
  "{T} revenue doubles as large customers adopt it",
];
const ZH_MARKET = [
  "{T} 背后的公司完成 3 亿元融资",
  "多家大型企业客户签约{T}",
  "{T} 营收增长，企业采购加速",
  "银行与{T}厂商签订采购合同",
];
const EN_INCIDENT = [
  "Critical vulnerability in {T} exploited in the wild",
  "{T} security incident: remote code execution flaw, patch now",
  "CVE for {T} lets attackers read every queue; data leak reported",
];
const ZH_INCIDENT = [
  "{T} 曝出高危漏洞，已被攻击者利用",
  "{T} 安全事件：远程代码执行漏洞，请尽快升级",
  "{T} 漏洞导致数据泄露",
];
const EN_PAIR = [
  "Building a dashboard with {T} and {U}",
  "{T} now plays well with {U}",
  "Migrating from {U} to {T}",
];
const ZH_PAIR = ["用{T}和{U}搭建管理后台", "{T} 与 {U} 的集成实践", "从{U}迁移到{T}的经验"];
const EN_FILLER = [
  "Weekly roundup: chips, phones and the cloud",
  "Remote work tips for engineering managers",
  "The state of open source funding",
  "How to run a good incident review",
];
const ZH_FILLER = [
  "每周科技综述：芯片、手机与云计算",
  "远程办公的团队管理心得",
  "开源项目的可持续发展",
  "如何做好故障复盘",
];

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)]!;
}

/** Poisson draw (Knuth's method; rates here are small). */
function poisson(rng: Random, rate: number): number {
  const limit = Math.exp(-rate);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

function sentimentOf(rng: Random, negative: number): RadarSentiment {
  const x = rng.next();
  if (x < negative) return "negative";
  return x < negative + 0.45 ? "positive" : "neutral";
}

export interface DemoCorpusOptions {
  seed?: number;
  /** Multiplies every story's weekly rate (default 3: about 16,000 documents). */
  scale?: number;
  weeks?: number;
}

/**
 * The demo documents, oldest first.
 *
 * @example
 * const docs = [...demoCorpus({ seed: 1 })];
 * docs.length; // about 16,000
 */
export function* demoCorpus(options: DemoCorpusOptions = {}): Generator<RadarDocument> {
  const rng = new Random(options.seed ?? 1);
  const scale = options.scale ?? 3;
  const weeks = options.weeks ?? DEMO_WEEKS;
  let n = 0;
  for (let w = 0; w < weeks; w++) {
    const week = DEMO_START + w * WEEK;
    const docs: Omit<RadarDocument, "id">[] = [];
    const add = (zh: boolean, title: string, sentiment: RadarSentiment, body = "") => {
      const source = zh ? pick(rng, SOURCES_ZH) : pick(rng, SOURCES_EN);
      const time = week + rng.int(WEEK);
      docs.push({
        time,
        title,
        text: body === "" ? title : body,
        source,
        url: `https://example.com/${source}/${w}-${docs.length}`,
        sentiment,
      });
    };
    for (const story of STORIES) {
      const count = poisson(rng, story.rate(w) * scale);
      for (let k = 0; k < count; k++) {
        const zh = rng.next() < 0.5;
        const name = zh ? story.zh : story.en;
        const version = `${1 + rng.int(5)}.${rng.int(10)}`;
        const fill = (t: string, other = "") =>
          t.replaceAll("{T}", name).replaceAll("{V}", version).replaceAll("{U}", other);
        if (story.incident !== undefined && rng.next() < story.incident(w)) {
          add(zh, fill(pick(rng, zh ? ZH_INCIDENT : EN_INCIDENT)), sentimentOf(rng, 0.85));
        } else if (rng.next() < (story.market ?? 0.05)) {
          add(zh, fill(pick(rng, zh ? ZH_MARKET : EN_MARKET)), sentimentOf(rng, 0.1));
        } else if (story.with !== undefined && rng.next() < 0.6) {
          const other = pick(rng, story.with);
          add(zh, fill(pick(rng, zh ? ZH_PAIR : EN_PAIR), zh ? other[1] : other[0]), sentimentOf(rng, 0.1));
        } else {
          add(zh, fill(pick(rng, zh ? ZH_PLAIN : EN_PLAIN)), sentimentOf(rng, 0.15));
        }
      }
    }
    const vexel = w >= DEMO_WEEKS - 20 ? poisson(rng, 0.3 * 1.12 ** (w - (DEMO_WEEKS - 20)) * scale) : 0;
    for (let k = 0; k < vexel; k++)
      add(false, "Early look at Vexel, a new build tool for monorepos", "positive");
    const filler = poisson(rng, 12 * scale);
    for (let k = 0; k < filler; k++) {
      const zh = rng.next() < 0.5;
      add(zh, pick(rng, zh ? ZH_FILLER : EN_FILLER), sentimentOf(rng, 0.2));
    }
    docs.sort((a, b) => a.time - b.time);
    for (const d of docs) yield { id: `demo-${++n}`, ...d };
  }
}
