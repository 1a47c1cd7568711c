/**
 * npm run bench:radar [-- --docs N --baseline-docs M]
 *
 * Mention extraction and the whole radar build over generated technology news: --docs
 * documents (default 1,000,000) of about 30 words, a third in Chinese, spread over two years,
 * with a dictionary of 1,000 generated technologies and 2,000 aliases (Latin and Chinese).
 *
 * Extraction: textkit's MentionMatcher (one Aho-Corasick pass) against the plain-regex
 * baseline, one case-insensitive alternation of every alias with word-boundary look-arounds
 * (longest alias first), in the same run and on the same documents; the baseline reads the
 * first --baseline-docs documents (default 20,000), since it is far slower; rates are per
 * document. Both find the same mentions on those documents (checked). Targets: at least 10x
 * the baseline and 100,000 documents/s, on one core (this process is single-threaded).
 *
 * Build: counting every document (mentions, market and risk terms, co-mentions, discovery
 * terms) and scoring every technology and period, at a quarter, half and all of the
 * documents, to show that the build is linear in documents.
 */
import { execSync } from "node:child_process";
import {
  countDocuments,
  DEFAULT_RADAR_SETTINGS,
  MentionMatcher,
  parseDictionary,
  type RadarDocument,
  radarFromCounts,
} from "../src/apps/radar/index.ts";
import { Random } from "../src/core/index.ts";
import { fmt, machine, markdownTable, numberArgument, today, writeResult } from "./common.ts";

const DOCS = numberArgument("--docs", 1_000_000);
const BASELINE_DOCS = Math.min(DOCS, numberArgument("--baseline-docs", 20_000));
const TECHNOLOGIES = 1_000;
const START = Date.UTC(2025, 0, 6);
const TWO_YEARS = 104 * 7 * 86_400_000;

const SYLLABLES = [
  "ka",
  "zo",
  "ri",
  "mex",
  "tor",
  "vel",
  "quin",
  "dra",
  "lu",
  "pho",
  "sen",
  "gar",
  "bit",
  "nox",
  "ter",
  "yam",
  "cal",
  "jin",
  "wex",
  "ul",
];
const HAN =
  "云数据容器编排框架平台引擎服务网格安全消息队列存储计算智能模型开源分布式缓存调度监控日志搜索图谱向量流批处理前端后端";
const WORDS =
  "the a of to in and for on with new release team service data cloud code users build fast open source update guide performance api library model production deploy test scale".split(
    " ",
  );
const HAN_FILLER =
  "我们今天发布了新的版本团队正在使用这个工具进行开发性能提升明显社区讨论热烈文档更新企业客户增长";

function dictionaryYaml(rng: Random): string {
  const lines = ["quadrants: [languages, platforms, tools, techniques]", "technologies:"];
  const quadrants = ["languages", "platforms", "tools", "techniques"];
  const used = new Set<string>();
  for (let t = 0; t < TECHNOLOGIES; t++) {
    let name = "";
    while (name === "" || used.has(name.toLowerCase())) {
      const k = 2 + rng.int(2);
      name = Array.from({ length: k }, () => SYLLABLES[rng.int(SYLLABLES.length)]).join("");
      name =
        name[0]!.toUpperCase() +
        name.slice(1) +
        (rng.next() < 0.3 ? ` ${["DB", "JS", "Cloud", "ML"][rng.int(4)]}` : "");
    }
    used.add(name.toLowerCase());
    let alias = "";
    while (alias === "" || used.has(alias.toLowerCase())) {
      alias =
        t % 2 === 0
          ? Array.from({ length: 3 + rng.int(2) }, () => HAN[rng.int(HAN.length)]).join("")
          : `${name.replaceAll(" ", "").toLowerCase()}${1 + rng.int(9)}x`;
    }
    used.add(alias.toLowerCase());
    lines.push(`  - { name: "${name}", quadrant: ${quadrants[t % 4]}, aliases: ["${alias}"] }`);
  }
  return `${lines.join("\n")}\n`;
}

function documents(n: number, rng: Random, names: string[][]): RadarDocument[] {
  const out: RadarDocument[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const zh = rng.next() < 0.33;
    const parts: string[] = [];
    const words = 25 + rng.int(10);
    for (let w = 0; w < words; w++) {
      if (rng.next() < 0.05) {
        const aliases = names[Math.floor(TECHNOLOGIES * rng.next() ** 2)]!;
        parts.push(aliases[rng.int(aliases.length)]!);
      } else if (zh) {
        const at = rng.int(HAN_FILLER.length - 3);
        parts.push(HAN_FILLER.slice(at, at + 2 + rng.int(2)));
      } else parts.push(WORDS[rng.int(WORDS.length)]!);
    }
    out[i] = {
      id: `d${i}`,
      time: START + Math.floor((i / n) * TWO_YEARS),
      text: parts.join(zh ? "" : " "),
      title: null,
      source: `s${rng.int(50)}`,
      url: null,
      sentiment: null,
    };
  }
  return out;
}

function regexBaseline(aliases: string[]): RegExp {
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const sorted = [...aliases].sort((a, b) => b.length - a.length);
  const latin = sorted.filter((a) => /^[A-Za-z0-9]/.test(a)).map(quote);
  const han = sorted.filter((a) => !/^[A-Za-z0-9]/.test(a)).map(quote);
  return new RegExp(
    `(?<![A-Za-z0-9_\u00c0-\u024f])(?:${latin.join("|")})(?![A-Za-z0-9_\u00c0-\u024f])|${han.join("|")}`,
    "giu",
  );
}

function seconds(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  const load = execSync("uptime")
    .toString()
    .trim()
    .replace(/.*load average: /, "");
  const rng = new Random(13);
  const dictionary = parseDictionary("bench-dictionary.yaml", dictionaryYaml(rng));
  const aliases = dictionary.technologies.flatMap((t) => t.aliases);
  const docs = documents(
    DOCS,
    rng,
    dictionary.technologies.map((t) => t.aliases),
  );
  const chars = docs.reduce((a, d) => a + d.text.length, 0);
  console.log(
    `${docs.length} documents, ${fmt.int(chars / docs.length)} characters each, ${aliases.length} aliases; load ${load}`,
  );

  let matcher: MentionMatcher | undefined;
  const compile = seconds(() => {
    matcher = new MentionMatcher(dictionary);
  });
  const m = matcher!;
  for (let i = 0; i < Math.min(20_000, docs.length); i++) m.scan(docs[i]!.text); // warm-up
  let found = 0;
  const ours = seconds(() => {
    for (const d of docs) found += m.scan(d.text);
  });
  const regex = regexBaseline(aliases);
  let baselineFound = 0;
  let oursOnBaseline = 0;
  const base = seconds(() => {
    for (let i = 0; i < BASELINE_DOCS; i++) for (const _ of docs[i]!.text.matchAll(regex)) baselineFound++;
  });
  for (let i = 0; i < BASELINE_DOCS; i++) oursOnBaseline += m.scan(docs[i]!.text);
  const oursRate = docs.length / ours;
  const baseRate = BASELINE_DOCS / base;
  const extraction = markdownTable(
    ["method", "documents", "mentions", "seconds", "docs/s", "vs regex"],
    [
      [
        "textkit MentionMatcher (Aho-Corasick)",
        fmt.int(docs.length),
        fmt.int(found),
        fmt.s(ours),
        fmt.int(oursRate),
        fmt.ratio(oursRate / baseRate),
      ],
      [
        "plain regex (one alternation, /giu)",
        fmt.int(BASELINE_DOCS),
        fmt.int(baselineFound),
        fmt.s(base),
        fmt.int(baseRate),
        "1.00x",
      ],
    ],
  );
  console.log(extraction);
  if (oursOnBaseline !== baselineFound)
    console.log(`note: mentions differ on the baseline's documents: ${oursOnBaseline} vs ${baselineFound}`);

  const buildRows: (string | number)[][] = [];
  for (const n of [Math.floor(DOCS / 4), Math.floor(DOCS / 2), DOCS]) {
    const part = docs.slice(0, n).map((d, i) => ({ ...d, time: START + Math.floor((i / n) * TWO_YEARS) }));
    const t0 = process.hrtime.bigint();
    const counter = await countDocuments(part, dictionary, "week");
    const countSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const radar = radarFromCounts(counter, dictionary, { ...DEFAULT_RADAR_SETTINGS }, [], Date.now());
    const total = Number(process.hrtime.bigint() - t0) / 1e9;
    buildRows.push([
      fmt.int(n),
      fmt.s(countSeconds),
      fmt.s(total - countSeconds),
      fmt.s(total),
      fmt.int(n / countSeconds),
      fmt.int(((total / n) * 1e9) / 1000),
      radar.snapshots.length,
    ]);
    console.log(buildRows[buildRows.length - 1]!.join(" | "));
  }
  const build = markdownTable(
    ["documents", "count s", "score s", "build s", "count docs/s", "build µs/doc", "snapshots"],
    buildRows,
  );
  const body = [
    `# bench:radar ${today()}`,
    "",
    `Machine: ${machine()}. Load average at start: ${load}. One core (single-threaded).`,
    `Data: ${fmt.int(DOCS)} generated documents (about ${fmt.int(chars / docs.length)} characters, a third Chinese), ${fmt.int(aliases.length)} aliases of ${TECHNOLOGIES} technologies; matcher compiled in ${fmt.s(compile)} s.`,
    "",
    "## Mention extraction",
    "",
    extraction,
    "",
    `Targets: at least 10x the regex and 100,000 docs/s: ${oursRate / baseRate >= 10 && oursRate >= 100_000 ? "met" : "NOT met"}.`,
    "",
    "## Radar build (weekly periods, linear in documents)",
    "",
    build,
    "",
  ].join("\n");
  console.log(`wrote ${writeResult("radar", body)}`);
}

await main();
