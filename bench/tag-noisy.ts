/**
 * Generated social-media-like tagged text, for bench:tag's noisy rows (`--noisy`). Written
 * for textkit (MIT, like the project); nothing is copied from a corpus. No noisy public
 * tagging data is in ../shared/data, and none can be downloaded here.
 *
 * English posts (in the manner of WNUT-17: person, location, corporation, product, group,
 * creative-work) with hashtags, @mentions, names written in lower case or capitals, letters
 * repeated for emphasis, emoji, typos, links and slang; half the test set's entities are
 * names never seen in training ("emerging" entities). Chinese posts (in the manner of Weibo
 * NER: PER, LOC, ORG, GPE) are short and informal, tagged per character, with Latin words,
 * digits, emoji, hashtags (#...#), @mentions, links and repeated characters mixed in.
 *
 * A third of the posts name something in a context that does not say what it is ("{*} is
 * trending again"), and most names carry no hint of their type, so such a name, unseen in
 * training, can only be typed by the company it keeps elsewhere. Each also comes with
 * unlabelled posts of the same kind (where the emerging names occur
 * too, as they would in a stream), for word clusters learned from unlabelled text.
 *
 * Generated text measures the mechanism (does the tagger use casing-independent cues,
 * context, clusters from unlabelled text), not quality on real posts.
 */
import { Random } from "../src/core/index.ts";
import { type TaggedDataset, type TaggedSentence, taggedDatasetFromSentences } from "../src/data/index.ts";

/** Train, dev and test sets plus unlabelled posts of the same kind (one post a line). */
export interface NoisySets {
  train: TaggedDataset;
  dev: TaggedDataset;
  test: TaggedDataset;
  unlabelled: string[];
}

type Piece = string | { type: string };

interface Kind {
  language: "en" | "zh";
  types: string[];
  /** Post templates: words, and slots written {TYPE}. */
  templates: string[];
  fillers: string[];
  /** A new name of a type. */
  name(rng: Random, type: string): string[];
  /** Makes a post noisy, piece by piece. */
  noise(rng: Random, words: string[], entity: boolean): string[];
  tokens(words: string[]): string[];
}

const EN_SYLLABLES = "ka ri to mel sun na lor pe vin dar gus zo han ni bel ku mar te ro fin jax ly".split(
  " ",
);
const EN_SUFFIX: Record<string, string[]> = {
  person: [""],
  location: ["ville", "ton", " city", " beach", " park"],
  corporation: [" inc", "corp", " labs", "soft", "tel"],
  product: [" 3", " pro", " x", "phone", " max"],
  group: [" fc", "s", " band", " crew"],
  "creative-work": [" 2", " season 4", " the movie", " remix"],
};

function syllables(rng: Random, n: number): string {
  let w = "";
  for (let i = 0; i < n; i++) w += EN_SYLLABLES[rng.int(EN_SYLLABLES.length)];
  return w;
}

const ENGLISH: Kind = {
  language: "en",
  types: ["person", "location", "corporation", "product", "group", "creative-work"],
  templates: [
    "omg just saw {person} at {location} tonight",
    "anyone else watching {creative-work} rn",
    "{person} is the best thing since {creative-work}",
    "my new {product} from {corporation} already broke smh",
    "heading to {location} with the fam this weekend",
    "{group} live in {location} was insane",
    "cant believe {corporation} dropped the {product} price",
    "shoutout to {person} for the tickets to {group}",
    "stuck in traffic near {location} again",
    "{corporation} customer service is a joke",
    "rewatching {creative-work} for the 5th time no regrets",
    "happy birthday {person} love u",
    "who is going to see {group} next week",
    "is the {product} worth it or nah",
    "lol that ending of {creative-work}",
    "moving to {location} next month wish me luck",
    "{*} is trending again lol",
    "cant stop thinking about {*}",
    "ok {*} was actually good",
    "everyone talking about {*} today",
    "{*} !!!",
    "why is nobody talking about {*}",
    "ugh mondays",
    "Best Day Ever",
    "cant sleep again",
    "OMG this weather",
  ],
  fillers: [
    "lol",
    "lmao",
    "omg",
    "tbh",
    "ngl",
    "fr",
    "smh",
    "rt",
    "so",
    "really",
    "yes",
    "nope",
    "wow",
    "ok",
  ],
  name(rng, type) {
    if (type === "person") {
      const first = cap(syllables(rng, 2));
      return rng.next() < 0.5 ? [first] : [first, cap(syllables(rng, 2 + rng.int(2)))];
    }
    // Most names carry no hint of their type: only the contexts they occur in tell.
    const suffixes = EN_SUFFIX[type]!;
    const suffix = rng.next() < 0.3 ? suffixes[rng.int(suffixes.length)]! : "";
    return `${cap(syllables(rng, 1 + rng.int(2)))}${suffix}`.split(" ");
  },
  noise(rng, words, entity) {
    const r = rng.next();
    // Names are written in lower case a third of the time, in capitals now and then.
    if (entity) {
      if (r < 0.33) return words.map((w) => w.toLowerCase());
      if (r < 0.4) return words.map((w) => w.toUpperCase());
      if (r < 0.5 && words.length === 1) return [`#${words[0]}`];
      return words;
    }
    return words.map((w) => {
      const x = rng.next();
      if (x < 0.05 && w.length > 3) return typo(rng, w);
      if (x < 0.09 && /[aeiouy]$/.test(w)) return w + w.slice(-1).repeat(2 + rng.int(3));
      return w;
    });
  },
  tokens: (words) => words,
};

function cap(w: string): string {
  return w[0]!.toUpperCase() + w.slice(1);
}

function typo(rng: Random, w: string): string {
  const i = 1 + rng.int(w.length - 2);
  return rng.next() < 0.5 ? w.slice(0, i) + w.slice(i + 1) : w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
}

const EXTRAS_EN = [
  "😂",
  "🔥",
  "😭",
  "❤️",
  "👀",
  "https://t.co/x8Kq2",
  "http://bit.ly/3fZ",
  "@jaymz_",
  "@the_real_kay",
];

const SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗".split("");
const GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红".split("");
const PLACE = "青云龙凤江海山河东西南北金银春秋星月花石".split("");
const ZH_SUFFIX: Record<string, string[]> = {
  LOC: ["山", "湖", "路", "街", "公园", "广场"],
  ORG: ["公司", "大学", "银行", "集团", "科技"],
  GPE: ["市", "省", "县", "镇"],
};

const CHINESE: Kind = {
  language: "zh",
  types: ["PER", "LOC", "ORG", "GPE"],
  templates: [
    "今天和{PER}去{LOC}玩了",
    "{ORG}的新手机好贵啊",
    "终于到{GPE}了，{LOC}人好多",
    "{PER}生日快乐！",
    "在{ORG}上班的第一天",
    "{GPE}下雪了，好冷",
    "刚刚在{LOC}看到{PER}本人",
    "有没有人一起去{GPE}旅游",
    "{ORG}客服太差了吧",
    "求{PER}签名",
    "周末去{LOC}拍照",
    "{GPE}的火锅真好吃",
    "{*}真的太好了",
    "大家都在说{*}",
    "{*}上热搜了",
    "我爱{*}！！",
    "累死了",
    "今天也是元气满满的一天",
  ],
  fillers: ["哈哈哈", "嗯嗯", "好吧", "真的", "emmm", "LOL", "yyds", "666", "啊啊啊", "呜呜"],
  name(rng, type) {
    if (type === "PER") {
      const given = Array.from({ length: 1 + rng.int(2) }, () => GIVEN[rng.int(GIVEN.length)]!).join("");
      return [SURNAMES[rng.int(SURNAMES.length)]! + given];
    }
    const stem = Array.from({ length: 2 + rng.int(2) }, () => PLACE[rng.int(PLACE.length)]!).join("");
    const suffix = ZH_SUFFIX[type]!;
    return [rng.next() < 0.4 ? stem + suffix[rng.int(suffix.length)]! : stem];
  },
  noise(rng, words, entity) {
    if (entity) return rng.next() < 0.15 ? [`#${words[0]}#`] : words;
    return words.map((w) => (rng.next() < 0.08 ? w + w.slice(-1).repeat(1 + rng.int(3)) : w));
  },
  tokens: (words) => Array.from(words.join("")).filter((c) => c.trim() !== "" && c !== "\u{FE0F}"),
};

const EXTRAS_ZH = ["😂", "🔥", "😭", "👍", "http://t.cn/A6x", "@小鱼儿", "@momo酱", "#日常#", "[笑cry]"];

/** Every type's names: seen ones (train, dev, test, unlabelled), unseen ones (test, unlabelled only). */
function names(rng: Random, kind: Kind): Map<string, { seen: string[][]; unseen: string[][] }> {
  const out = new Map<string, { seen: string[][]; unseen: string[][] }>();
  for (const type of kind.types) {
    const make = (n: number) => Array.from({ length: n }, () => kind.name(rng, type));
    out.set(type, { seen: make(60), unseen: make(40) });
  }
  return out;
}

function pieces(template: string): Piece[] {
  const out: Piece[] = [];
  for (const part of template.split(/(\{[^}]+\})/)) {
    if (part === "") continue;
    if (part.startsWith("{")) out.push({ type: part.slice(1, -1) });
    else out.push(...(part.includes(" ") ? part.split(" ").filter((w) => w !== "") : [part]));
  }
  return out;
}

function post(
  rng: Random,
  kind: Kind,
  pool: Map<string, { seen: string[][]; unseen: string[][] }>,
  unseenShare: number,
  line: number,
): TaggedSentence {
  const tokens: string[] = [];
  const tags: string[] = [];
  const extras = kind.language === "en" ? EXTRAS_EN : EXTRAS_ZH;
  const add = (words: string[], type: string | null) => {
    const toks = kind.tokens(words);
    toks.forEach((t, i) => {
      tokens.push(t);
      tags.push(type === null ? "O" : `${i === 0 ? "B" : "I"}-${type}`);
    });
  };
  if (rng.next() < 0.3) add([extras[rng.int(extras.length)]!], null);
  if (rng.next() < 0.3) add([kind.fillers[rng.int(kind.fillers.length)]!], null);
  for (const piece of pieces(kind.templates[rng.int(kind.templates.length)]!)) {
    if (typeof piece === "string") add(kind.noise(rng, [piece], false), null);
    else {
      const type = piece.type === "*" ? kind.types[rng.int(kind.types.length)]! : piece.type;
      const names = pool.get(type)!;
      const list = rng.next() < unseenShare ? names.unseen : names.seen;
      add(kind.noise(rng, list[rng.int(list.length)]!, true), type);
    }
  }
  if (rng.next() < 0.4) add([kind.fillers[rng.int(kind.fillers.length)]!], null);
  if (rng.next() < 0.4) add([extras[rng.int(extras.length)]!], null);
  const starts: number[] = [];
  const ends: number[] = [];
  const sep = kind.language === "en" ? " " : "";
  let text = "";
  for (const t of tokens) {
    if (text.length > 0) text += sep;
    starts.push(text.length);
    text += t;
    ends.push(text.length);
  }
  return { tokens, tags, line, text, starts, ends };
}

function noisySets(
  kind: Kind,
  name: string,
  sizes: [number, number, number, number],
  seed: number,
): NoisySets {
  const rng = new Random(seed);
  const pool = names(rng, kind);
  const make = (part: string, n: number, unseenShare: number) =>
    taggedDatasetFromSentences(
      `${name}/${part}`,
      "conll",
      "bio",
      kind.language,
      Array.from({ length: n }, (_, i) => post(rng, kind, pool, unseenShare, i + 1)),
    );
  const [train, dev, test, unlabelled] = sizes;
  return {
    train: make("train", train, 0),
    dev: make("dev", dev, 0.5),
    test: make("test", test, 0.5),
    unlabelled: Array.from({ length: unlabelled }, (_, i) => post(rng, kind, pool, 0.5, i + 1).text),
  };
}

/** English social-media-like posts: 3,000 train, 500 dev, 1,000 test, 20,000 unlabelled. */
export function noisyEnglishSets(seed = 1): NoisySets {
  return noisySets(ENGLISH, "noisy-en", [3000, 500, 1000, 20000], seed);
}

/** Chinese social-media-like posts, per character: 2,000 train, 400 dev, 800 test, 20,000 unlabelled. */
export function noisyChineseSets(seed = 1): NoisySets {
  return noisySets(CHINESE, "noisy-zh", [2000, 400, 800, 20000], seed);
}
