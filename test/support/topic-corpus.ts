/**
 * Small generated corpora with obvious topics, for the clustering tests: each text mixes
 * words of its topic with filler words every topic shares, in English or in Chinese
 * (written without spaces, as Chinese is).
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
