/**
 * The recommender's demo data, written for textkit (MIT, like the rest of the
 * repository; every word list below was written here, nothing is copied from a data set).
 *
 * A catalogue of articles and products on a handful of subjects, half with Chinese and half
 * with English text, and behaviour events from simulated users with planted tastes: each
 * user reads mostly about one subject (their primary), sometimes about a second, rarely
 * about anything. A user's events form sessions over weeks: a view, often a click, then
 * sometimes a like, a share or a purchase, with times that only go forward. Because the
 * tastes are planted, a test can check that the recommender finds them.
 */
import { checkInt, Random } from "../../core/index.ts";
import {
  type BehaviourEvent,
  type CatalogItem,
  type Interactions,
  InteractionsBuilder,
  ItemCatalog,
} from "../../data/index.ts";

/** One subject: its names and the words its titles, descriptions and tags are made of. */
interface Subject {
  id: string;
  en: string;
  zh: string;
  enWords: readonly string[];
  zhWords: readonly string[];
  enTags: readonly string[];
  zhTags: readonly string[];
}

/** The subjects of the demo catalogue, in a fixed order (their index is part of an item's id scheme). */
export const DEMO_SUBJECTS: readonly Subject[] = [
  {
    id: "football",
    en: "Football",
    zh: "足球",
    enWords: ["striker", "penalty", "league", "goalkeeper", "derby", "transfer", "midfield", "stadium"],
    zhWords: ["前锋", "点球", "联赛", "守门员", "德比", "转会", "中场", "球场"],
    enTags: ["football", "league", "match"],
    zhTags: ["足球", "联赛", "比赛"],
  },
  {
    id: "cooking",
    en: "Cooking",
    zh: "烹饪",
    enWords: ["noodles", "dumplings", "sauce", "braised", "recipe", "wok", "spices", "baking"],
    zhWords: ["面条", "饺子", "酱汁", "红烧", "菜谱", "炒锅", "香料", "烘焙"],
    enTags: ["cooking", "recipe", "kitchen"],
    zhTags: ["烹饪", "菜谱", "厨房"],
  },
  {
    id: "astronomy",
    en: "Astronomy",
    zh: "天文",
    enWords: ["telescope", "galaxy", "nebula", "eclipse", "comet", "orbit", "planet", "meteor"],
    zhWords: ["望远镜", "星系", "星云", "日食", "彗星", "轨道", "行星", "流星"],
    enTags: ["astronomy", "space", "stargazing"],
    zhTags: ["天文", "太空", "观星"],
  },
  {
    id: "programming",
    en: "Programming",
    zh: "编程",
    enWords: [
      "compiler",
      "typescript",
      "database",
      "debugging",
      "algorithm",
      "refactoring",
      "testing",
      "api",
    ],
    zhWords: ["编译器", "类型", "数据库", "调试", "算法", "重构", "测试", "接口"],
    enTags: ["programming", "software", "code"],
    zhTags: ["编程", "软件", "代码"],
  },
  {
    id: "travel",
    en: "Travel",
    zh: "旅行",
    enWords: ["itinerary", "hostel", "backpacking", "islands", "railway", "museum", "visa", "hiking"],
    zhWords: ["行程", "青旅", "背包", "海岛", "铁路", "博物馆", "签证", "徒步"],
    enTags: ["travel", "trip", "guide"],
    zhTags: ["旅行", "旅游", "攻略"],
  },
  {
    id: "music",
    en: "Music",
    zh: "音乐",
    enWords: ["guitar", "symphony", "album", "concert", "piano", "chords", "jazz", "vinyl"],
    zhWords: ["吉他", "交响乐", "专辑", "演唱会", "钢琴", "和弦", "爵士", "黑胶"],
    enTags: ["music", "instrument", "live"],
    zhTags: ["音乐", "乐器", "现场"],
  },
  {
    id: "finance",
    en: "Personal finance",
    zh: "理财",
    enWords: ["savings", "pension", "index", "budget", "mortgage", "dividends", "inflation", "bonds"],
    zhWords: ["储蓄", "养老金", "指数", "预算", "房贷", "分红", "通胀", "债券"],
    enTags: ["finance", "money", "investing"],
    zhTags: ["理财", "投资", "基金"],
  },
  {
    id: "gardening",
    en: "Gardening",
    zh: "园艺",
    enWords: ["seedlings", "compost", "roses", "pruning", "tomatoes", "greenhouse", "soil", "orchids"],
    zhWords: ["幼苗", "堆肥", "玫瑰", "修剪", "番茄", "温室", "土壤", "兰花"],
    enTags: ["gardening", "plants", "garden"],
    zhTags: ["园艺", "植物", "花园"],
  },
];

const EN_TITLES = [
  "A beginner's guide to {a} and {b}",
  "Why {a} matters more than {b}",
  "Ten lessons on {a}",
  "{A}: what we learned about {b}",
  "How to get started with {a}",
  "The {a} handbook",
];
const ZH_TITLES = [
  "{a}与{b}入门指南",
  "为什么{a}比{b}更重要",
  "关于{a}的十堂课",
  "{a}：我们从{b}学到了什么",
  "如何开始{a}",
  "{a}手册",
];
const EN_DESCRIPTIONS = [
  "An {kind} about {a}, {b} and {c} for readers who care about {subject}.",
  "Everything about {a} and {c}, with practical notes on {b}.",
];
const ZH_DESCRIPTIONS = [
  "一篇关于{a}、{b}和{c}的{kind}，写给关心{subject}的读者。",
  "关于{a}和{c}的一切，附有{b}的实用笔记。",
];
const KINDS = [
  { en: "article", zh: "文章" },
  { en: "product", zh: "产品" },
] as const;

export const DEMO_EVENT_TYPES = ["view", "click", "like", "share", "purchase"] as const;

export interface DemoOptions {
  /** Items in the catalogue (default 2400). */
  items?: number;
  /** Simulated users (default 300). */
  users?: number;
  /** Sessions per user (a view, maybe a click and more); default 25. */
  sessionsPerUser?: number;
  seed?: number;
  /** Unix seconds of the first event (default 2026-11-01T00:00:00Z). */
  start?: number;
}

/** A simulated user's planted taste: the subject they read most, and the one they read sometimes. */
export interface PlantedTaste {
  user: string;
  primary: string;
  secondary: string;
}

export interface DemoData {
  items: CatalogItem[];
  /** Events in time order, timestamps in Unix seconds. */
  events: (BehaviourEvent & { timestamp: number })[];
  tastes: PlantedTaste[];
}

const DAY = 86_400;

function fill(template: string, words: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => words[key] ?? "");
}

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)]!;
}

/** Three different words of a list. */
function threeWords(rng: Random, list: readonly string[]): [string, string, string] {
  const a = rng.int(list.length);
  const b = (a + 1 + rng.int(list.length - 1)) % list.length;
  let c = rng.int(list.length);
  while (c === a || c === b) c = (c + 1) % list.length;
  return [list[a]!, list[b]!, list[c]!];
}

/** Item `i` of the catalogue: subject i mod subjects, Chinese for odd i / subjects. */
function demoItem(i: number, rng: Random, start: number): CatalogItem {
  const subject = DEMO_SUBJECTS[i % DEMO_SUBJECTS.length]!;
  const chinese = Math.floor(i / DEMO_SUBJECTS.length) % 2 === 1;
  const kind = pick(rng, KINDS);
  const [a, b, c] = threeWords(rng, chinese ? subject.zhWords : subject.enWords);
  const words = {
    a,
    b,
    c,
    A: a.charAt(0).toUpperCase() + a.slice(1),
    kind: chinese ? kind.zh : kind.en,
    subject: chinese ? subject.zh : subject.en.toLowerCase(),
  };
  const tags = chinese ? subject.zhTags : subject.enTags;
  return {
    id: `${kind.en === "article" ? "a" : "p"}${String(i).padStart(5, "0")}`,
    title: fill(pick(rng, chinese ? ZH_TITLES : EN_TITLES), words),
    description: fill(pick(rng, chinese ? ZH_DESCRIPTIONS : EN_DESCRIPTIONS), words),
    tags: [tags[0]!, pick(rng, tags.slice(1)), chinese ? a : a.toLowerCase()],
    category: subject.id,
    createdAt: start - (1 + rng.int(120)) * DAY,
  };
}

/**
 * Generates the demo catalogue and behaviour events. The same options give the same data.
 *
 * @example
 * const demo = generateDemoData({ items: 800, users: 100, seed: 1 });
 * demo.items[0]; // { id: "a00000", title: "A beginner's guide to ...", category: "football", ... }
 * demo.tastes[0]; // { user: "u0000", primary: "cooking", secondary: "music" }
 */
export function generateDemoData(options: DemoOptions = {}): DemoData {
  const itemCount = options.items ?? 2400;
  const userCount = options.users ?? 300;
  const sessions = options.sessionsPerUser ?? 25;
  const seed = options.seed ?? 1;
  const start = options.start ?? Date.UTC(2026, 10, 1) / 1000;
  checkInt("items", itemCount, DEMO_SUBJECTS.length * 2, 1_000_000);
  checkInt("users", userCount, 1, 1_000_000);
  checkInt("sessionsPerUser", sessions, 1, 10_000);
  checkInt("seed", seed, 0, 2 ** 32 - 1);
  const rng = new Random(seed);
  const items = Array.from({ length: itemCount }, (_, i) => demoItem(i, rng, start));
  const subjects = DEMO_SUBJECTS.length;
  // Within a subject, some items are far more popular than others (Zipf over a shuffled order).
  const bySubject: number[][] = Array.from({ length: subjects }, () => []);
  for (let i = 0; i < itemCount; i++) bySubject[i % subjects]!.push(i);
  for (const list of bySubject) rng.shuffle(list);
  const zipf = (n: number): number => {
    // Inverse of the continuous Zipf(1) cumulative over [1, n + 1).
    const x = Math.exp(rng.next() * Math.log(n + 1)) - 1;
    return Math.min(n - 1, Math.floor(x));
  };
  const tastes: PlantedTaste[] = [];
  const events: (BehaviourEvent & { timestamp: number })[] = [];
  for (let u = 0; u < userCount; u++) {
    const primary = rng.int(subjects);
    const secondary = (primary + 1 + rng.int(subjects - 1)) % subjects;
    const user = `u${String(u).padStart(4, "0")}`;
    tastes.push({ user, primary: DEMO_SUBJECTS[primary]!.id, secondary: DEMO_SUBJECTS[secondary]!.id });
    let time = start + rng.int(DAY);
    for (let s = 0; s < sessions; s++) {
      const x = rng.next();
      const subject = x < 0.75 ? primary : x < 0.93 ? secondary : rng.int(subjects);
      const list = bySubject[subject]!;
      const item = items[list[zipf(list.length)]!]!.id;
      time += 600 + rng.int(DAY);
      events.push({ user, item, type: "view", timestamp: time });
      // Users engage further mostly with their own subjects.
      const keen = subject === primary ? 1 : subject === secondary ? 0.6 : 0.2;
      if (rng.next() < 0.5 * keen) {
        events.push({ user, item, type: "click", timestamp: time + 5 + rng.int(60) });
        const y = rng.next();
        const more =
          y < 0.25 * keen ? "like" : y < 0.32 * keen ? "share" : y < 0.38 * keen ? "purchase" : null;
        if (more !== null) events.push({ user, item, type: more, timestamp: time + 120 + rng.int(600) });
      }
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  return { items, events, tastes };
}

/**
 * The demo's events as training data over its catalogue (a catalogue id given twice is
 * DATA_DUPLICATE_ID; an event on an unknown item, DATA_UNKNOWN_ITEM).
 *
 * @example
 * const train = demoInteractions(generateDemoData({ seed: 1 }));
 * await trainRecommender({ train }, { model: "hybrid" });
 */
export function demoInteractions(data: DemoData, source = "demo"): Interactions {
  const catalog = new ItemCatalog([], `${source} catalogue`);
  data.items.forEach((item, index) => {
    catalog.add(item, { line: index + 1 });
  });
  const builder = new InteractionsBuilder(catalog, undefined, data.events.length);
  data.events.forEach((event, index) => {
    builder.add(event, { index });
  });
  return builder.build(source);
}
