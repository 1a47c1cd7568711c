/**
 * Small generated corpora with obvious topics. For the clustering tests, each text mixes
 * words of its topic with filler words every topic shares, in English or in Chinese
 * (written without spaces, as Chinese is); for the classifier, server and CLI tests,
 * labelled texts of three topics.
 */
import { Random } from "../../src/core/random.ts";

export const ENGLISH_TOPICS: Readonly<Record<string, readonly string[]>> = {
  sports: ["football", "goal", "match", "team", "player", "score", "coach", "stadium"],
  cooking: ["recipe", "oven", "flour", "bake", "sugar", "dough", "butter", "kitchen"],
  computers: ["laptop", "keyboard", "software", "screen", "install", "battery", "update", "driver"],
};
const ENGLISH_FILLER = ["the", "a", "was", "today", "really", "and", "very", "new", "my", "is"];

export const CHINESE_TOPICS: Readonly<Record<string, readonly string[]>> = {
  sports: ["足球", "比赛", "球队", "教练", "球员", "球场", "冠军", "观众"],
  cooking: ["面粉", "烤箱", "蛋糕", "黄油", "食谱", "厨房", "白糖", "鸡蛋"],
  computers: ["键盘", "软件", "屏幕", "电池", "电脑", "系统", "程序", "网络"],
};
const CHINESE_FILLER = ["今天", "我们", "非常", "的", "了", "很", "一个", "这个"];

export interface TopicText {
  text: string;
  topic: string;
}

/**
 * `perTopic` texts of each topic, interleaved (sports, cooking, computers, sports, ...),
 * each of 8 words about half of which are topic words.
 *
 * @example
 * topicCorpus("en", 30).map((t) => t.text);
 */
export function topicCorpus(language: "en" | "zh", perTopic: number, seed = 3): TopicText[] {
  const topics = language === "en" ? ENGLISH_TOPICS : CHINESE_TOPICS;
  const filler = language === "en" ? ENGLISH_FILLER : CHINESE_FILLER;
  const names = Object.keys(topics);
  const rng = new Random(seed);
  const out: TopicText[] = [];
  for (let i = 0; i < perTopic * names.length; i++) {
    const topic = names[i % names.length]!;
    const own = topics[topic]!;
    const words: string[] = [];
    for (let j = 0; j < 8; j++) {
      words.push(rng.next() < 0.55 ? own[rng.int(own.length)]! : filler[rng.int(filler.length)]!);
    }
    out.push({ text: language === "en" ? `${words.join(" ")}.` : `${words.join("")}。`, topic });
  }
  return out;
}

/** Three labelled topics of eight words each, for the classifier and server tests. */
export const CLASSIFIER_TOPICS: Readonly<Record<string, readonly string[]>> = {
  sport: ["match", "goal", "team", "coach", "league", "score", "player", "season"],
  money: ["bank", "loan", "rate", "stock", "price", "market", "fund", "credit"],
  weather: ["rain", "sunny", "storm", "cloud", "wind", "snow", "forecast", "cold"],
};
const CLASSIFIER_FILLER = ["the", "a", "today", "news", "about", "new", "big", "report", "we", "see"];

/**
 * `n` seeded texts of CLASSIFIER_TOPICS' topics in turn (sport, money, weather, sport, ...):
 * six words drawn from the topic (with probability 0.4) or the filler, then one topic word,
 * so that the topic is learnable but noisy.
 *
 * @example
 * topicTexts(3, 1).map((t) => t.label); // ["sport", "money", "weather"]
 */
export function topicTexts(n: number, seed: number): { text: string; label: string }[] {
  const rng = new Random(seed);
  const labels = Object.keys(CLASSIFIER_TOPICS);
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const label = labels[i % labels.length]!;
    const own = CLASSIFIER_TOPICS[label]!;
    const words: string[] = [];
    for (let j = 0; j < 6; j++)
      words.push(rng.next() < 0.4 ? own[rng.int(8)]! : CLASSIFIER_FILLER[rng.int(CLASSIFIER_FILLER.length)]!);
    words.push(own[rng.int(8)]!);
    out.push({ text: words.join(" "), label });
  }
  return out;
}

/** Three labelled topics of seven words each, for the CLI's training tests. */
export const CLI_TOPICS: Readonly<Record<string, readonly string[]>> = {
  sport: ["goal", "match", "team", "score", "player", "coach", "league"],
  weather: ["rain", "sunny", "cloud", "wind", "forecast", "storm", "snow"],
  food: ["pizza", "pasta", "bread", "cheese", "soup", "salad", "dessert"],
};
const CLI_FILLER = ["the", "a", "today", "really", "we", "saw"];

/**
 * `n` rows per label of CLI_TOPICS, in label-interleaved order, without randomness: row i
 * is a filler word and three words of its topic picked by i. `offset` starts at a later i,
 * for held-out rows that differ from the training rows.
 *
 * @example
 * topicRows(1)[0]; // { text: "the goal team coach", label: "sport" }
 */
export function topicRows(n: number, offset = 0): { text: string; label: string }[] {
  const out: { text: string; label: string }[] = [];
  for (let i = offset; i < offset + n; i++) {
    for (const [label, w] of Object.entries(CLI_TOPICS)) {
      out.push({
        text: `${CLI_FILLER[i % CLI_FILLER.length]} ${w[i % 7]} ${w[(i + 2) % 7]} ${w[(i + 5) % 7]}`,
        label,
      });
    }
  }
  return out;
}
