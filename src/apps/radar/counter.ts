/**
 * One pass over the documents: for every period and technology, how many documents mention
 * it, how many of those speak of the market, of each risk, with which sentiment, from how
 * many sources; which technologies are mentioned together (the knowledge graph); the
 * latest evidence documents; and the counts of new terms for discovery. Memory is bounded
 * by periods × technologies (plus the distinct candidate terms), never by documents.
 */
import type { RadarDictionary } from "./dictionary.ts";
import type { RadarDocument, RadarSentiment } from "./document.ts";
import { Lexicon, MARKET, RISK_CATEGORIES, type RiskCategory } from "./lexicon.ts";
import { MentionMatcher } from "./matcher.ts";
import { type Period, periodStart } from "./periods.ts";

const CATEGORIES = RISK_CATEGORIES.length;
/** Evidence documents kept per technology (the latest). */
export const EVIDENCE_PER_TECHNOLOGY = 6;

/** The counts of one period. Arrays are indexed by technology id (risk: id × 5 + category). */
export interface PeriodCounts {
  start: number;
  documents: number;
  mentions: Int32Array;
  market: Int32Array;
  negative: Int32Array;
  positive: Int32Array;
  /** Documents with sentiment known, per technology. */
  rated: Int32Array;
  /** Documents of each (technology, category) with a risk term, weighted by their sentiment (see docs/radar.md). */
  riskWeight: Float64Array;
  riskDocuments: Int32Array;
  /** Distinct sources of each (technology, category)'s risk documents. */
  riskSources: Map<number, Set<string>>;
}

export interface Evidence {
  id: string;
  title: string;
  url: string | null;
  time: number;
  source: string;
  sentiment: RadarSentiment | null;
  risks: RiskCategory[];
  market: boolean;
}

/** Weight of a risk document by its sentiment: negative counts fully, unknown mostly, others half. */
export function riskWeight(sentiment: RadarSentiment | null): number {
  if (sentiment === "negative") return 1;
  if (sentiment === null) return 0.75;
  return 0.5;
}

const PRODUCT_LABELS = new Set(["PRODUCT", "TECH", "TECHNOLOGY", "SOFTWARE", "PROD"]);

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Words that look like product names, in Latin script: with inner capitals or digits
 * ("GraphQL", "Next.js", "Vue3"), or capitalised away from the start of a sentence ("Vexel").
 * A hand loop rather than a regular expression: it runs on every document.
 */
export function nameLikeWords(text: string, out: Set<string>): void {
  const n = text.length;
  let sentenceStart = true;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isAsciiAlnum(c)) {
      if (
        c === 0x2e ||
        c === 0x21 ||
        c === 0x3f ||
        c === 0x0a ||
        c === 0x3002 ||
        c === 0xff01 ||
        c === 0xff1f
      )
        sentenceStart = true;
      else if (c !== 0x20 && c !== 0x22 && c !== 0x27) sentenceStart = false;
      i++;
      continue;
    }
    const start = i;
    const before = start === 0 ? 0 : text.charCodeAt(start - 1);
    let inner = false;
    let digit = false;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isAsciiAlnum(d)) {
        if (i > start && d >= 0x41 && d <= 0x5a) inner = true;
        if (d <= 0x39) digit = true;
        i++;
      } else if (
        (d === 0x2e || d === 0x2b || d === 0x23 || d === 0x2d) &&
        i + 1 < n &&
        isAsciiAlnum(text.charCodeAt(i + 1))
      ) {
        inner = true;
        i++;
      } else break;
    }
    while (i < n && text.charCodeAt(i) === 0x2b) i++; // C++
    const first = text.charCodeAt(start);
    const capital = first >= 0x41 && first <= 0x5a;
    const length = i - start;
    const letterFirst = !(first <= 0x39);
    if (
      letterFirst &&
      length >= 2 &&
      length <= 30 &&
      before !== 0x5f &&
      (inner || digit || (capital && !sentenceStart))
    ) {
      out.add(text.slice(start, i));
    }
    sentenceStart = false;
  }
}

export class RadarCounter {
  readonly matcher: MentionMatcher;
  private readonly lexicon = new Lexicon();
  private readonly size: number;
  private readonly byPeriod = new Map<number, PeriodCounts>();
  /** Documents mentioning each technology, over all periods. */
  readonly totals: Int32Array;
  /** Documents mentioning both a and b (a < b), key a × size + b. */
  readonly pairs = new Map<number, number>();
  readonly evidence: Evidence[][];
  /** term → period start → documents. */
  readonly candidates = new Map<string, Map<number, number>>();
  documents = 0;
  private readonly known: Set<string>;
  private readonly ids: number[] = [];
  private readonly words = new Set<string>();

  constructor(
    readonly dictionary: RadarDictionary,
    readonly period: Period,
  ) {
    this.matcher = new MentionMatcher(dictionary);
    this.size = dictionary.technologies.length;
    this.totals = new Int32Array(this.size);
    this.evidence = dictionary.technologies.map(() => []);
    // An alias and each of its words ("Corvid MQ": also "corvid", "mq") are not candidates.
    this.known = new Set(
      dictionary.technologies.flatMap((t) =>
        t.aliases.flatMap((a) => [a.toLowerCase(), ...a.toLowerCase().split(/[^a-z0-9.+#]+/)]),
      ),
    );
  }

  private periodOf(time: number): PeriodCounts {
    const start = periodStart(time, this.period);
    let p = this.byPeriod.get(start);
    if (p === undefined) {
      const n = this.size;
      p = {
        start,
        documents: 0,
        mentions: new Int32Array(n),
        market: new Int32Array(n),
        negative: new Int32Array(n),
        positive: new Int32Array(n),
        rated: new Int32Array(n),
        riskWeight: new Float64Array(n * CATEGORIES),
        riskDocuments: new Int32Array(n * CATEGORIES),
        riskSources: new Map(),
      };
      this.byPeriod.set(start, p);
    }
    return p;
  }

  /** Counts one document. */
  add(doc: RadarDocument): void {
    const text = doc.title === null ? doc.text : `${doc.title}\n${doc.text}`;
    const p = this.periodOf(doc.time);
    this.documents++;
    p.documents++;
    this.countCandidates(text, doc, p.start);
    const found = this.distinctTechnologies(text);
    if (found.length === 0) return;
    const marks = this.lexicon.categoriesIn(text);
    const market = marks[MARKET] === 1;
    const weight = riskWeight(doc.sentiment);
    const risks = RISK_CATEGORIES.filter((_, c) => marks[c] === 1);
    for (const t of found) {
      p.mentions[t]!++;
      this.totals[t]!++;
      if (market) p.market[t]!++;
      if (doc.sentiment !== null) {
        p.rated[t]!++;
        if (doc.sentiment === "negative") p.negative[t]!++;
        if (doc.sentiment === "positive") p.positive[t]!++;
      }
      for (let c = 0; c < CATEGORIES; c++) {
        if (marks[c] !== 1) continue;
        const key = t * CATEGORIES + c;
        p.riskWeight[key]! += weight;
        p.riskDocuments[key]!++;
        let sources = p.riskSources.get(key);
        if (sources === undefined) {
          sources = new Set();
          p.riskSources.set(key, sources);
        }
        sources.add(doc.source);
      }
      this.keepEvidence(t, doc, risks, market);
    }
    for (let i = 0; i < found.length; i++) {
      for (let j = i + 1; j < found.length; j++) {
        const a = Math.min(found[i]!, found[j]!);
        const b = Math.max(found[i]!, found[j]!);
        const key = a * this.size + b;
        this.pairs.set(key, (this.pairs.get(key) ?? 0) + 1);
      }
    }
  }

  private distinctTechnologies(text: string): number[] {
    this.ids.length = 0;
    const n = this.matcher.scan(text);
    for (let k = 0; k < n; k++) {
      const t = this.matcher.technologyAt(k);
      if (!this.ids.includes(t)) this.ids.push(t);
    }
    return this.ids;
  }

  private keepEvidence(t: number, doc: RadarDocument, risks: RiskCategory[], market: boolean): void {
    const list = this.evidence[t]!;
    if (
      list.length >= EVIDENCE_PER_TECHNOLOGY &&
      list[list.length - 1]!.time >= doc.time &&
      risks.length === 0
    )
      return;
    const title = doc.title ?? (doc.text.length > 140 ? `${doc.text.slice(0, 139)}…` : doc.text);
    list.push({
      id: doc.id,
      title,
      url: doc.url,
      time: doc.time,
      source: doc.source,
      sentiment: doc.sentiment,
      risks,
      market,
    });
    // Newest first; a document with a risk is kept before a newer one without.
    list.sort((a, b) => Number(b.risks.length > 0) - Number(a.risks.length > 0) || b.time - a.time);
    if (list.length > EVIDENCE_PER_TECHNOLOGY) list.length = EVIDENCE_PER_TECHNOLOGY;
  }

  private countCandidates(text: string, doc: RadarDocument, start: number): void {
    const seen = this.words;
    seen.clear();
    nameLikeWords(text, seen);
    for (const e of doc.entities ?? [])
      if (PRODUCT_LABELS.has(e.label.toUpperCase())) seen.add(e.text.trim());
    for (const term of seen) {
      if (this.known.has(term.toLowerCase())) continue;
      let byPeriod = this.candidates.get(term);
      if (byPeriod === undefined) {
        byPeriod = new Map();
        this.candidates.set(term, byPeriod);
      }
      byPeriod.set(start, (byPeriod.get(start) ?? 0) + 1);
    }
  }

  /** The periods from the first document's to the last's, empty ones included, oldest first. */
  periods(): PeriodCounts[] {
    if (this.byPeriod.size === 0) return [];
    const starts = [...this.byPeriod.keys()].sort((a, b) => a - b);
    const out: PeriodCounts[] = [];
    const last = starts[starts.length - 1]!;
    for (let s = starts[0]!; s <= last; ) {
      out.push(this.periodOf(s + 1));
      const d = new Date(s);
      s = this.period === "week" ? s + 7 * 86_400_000 : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    return out;
  }

  /** Co-mention strength of a and b: documents with both over the documents of the rarer one (0..1). */
  strength(a: number, b: number): number {
    if (a === b) return 1;
    const key = Math.min(a, b) * this.size + Math.max(a, b);
    const both = this.pairs.get(key) ?? 0;
    const rarer = Math.min(this.totals[a]!, this.totals[b]!);
    return rarer === 0 ? 0 : both / rarer;
  }
}
