/**
 * Defaults that fit the training data. The library defaults suit short English texts
 * (intents, reviews, titles); on Chinese text character unigrams add what word segmentation
 * misses, and on long documents one averaged embedding per document gets too few and too
 * diluted updates to learn. The figures behind each rule are in bench/results/defaults-*.md.
 */
import type { Dataset } from "../../data/index.ts";
import { containsHan } from "../../text/index.ts";
import { Featurizer } from "./featurizer.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";

/** What the rules look at, from a sample of the texts. */
export interface DataProfile {
  /** Texts looked at (at most `PROFILE_SAMPLE`, spread over the data). */
  sampled: number;
  /** Share of the sampled texts with Chinese characters. */
  hanShare: number;
  /** Mean tokens per sampled text. */
  meanTokens: number;
}

export interface DataDefaults {
  /** Only the options a rule changed, never one in `fixed`. */
  options: Partial<ClassifierOptions>;
  /** One line per rule that applied, e.g. "mostly Chinese text (96% of texts): character unigrams (minn 1, maxn 1)". */
  reasons: string[];
  profile: DataProfile;
}

const PROFILE_SAMPLE = 1000;
/** Above this share of texts with Han characters the data counts as Chinese. */
export const CHINESE_SHARE = 0.5;
/** Mean tokens per text from which a text counts as a long document. */
export const LONG_DOCUMENT_TOKENS = 200;
/** Tokens per training chunk of a long document. */
export const LONG_DOCUMENT_CHUNK = 50;

/**
 * Measures the texts that matter to the defaults: how many are Chinese, how long they are.
 *
 * @example
 * profileData(train); // { sampled: 1000, hanShare: 0.97, meanTokens: 61.2 }
 */
export function profileData(train: Dataset, options: Partial<ClassifierOptions> = {}): DataProfile {
  const featurizer = new Featurizer(resolveClassifierOptions(options), []);
  const n = train.examples.length;
  const step = Math.max(1, n / PROFILE_SAMPLE);
  let sampled = 0;
  let han = 0;
  let tokens = 0;
  for (let at = 0; Math.floor(at) < n; at += step) {
    const text = train.examples[Math.floor(at)]!.text;
    sampled++;
    if (containsHan(text)) han++;
    tokens += featurizer.tokens(text).length;
  }
  return {
    sampled,
    hanShare: sampled === 0 ? 0 : han / sampled,
    meanTokens: sampled === 0 ? 0 : tokens / sampled,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * Options fitted to `train` for every option not in `fixed` (those the user chose).
 *
 * @example
 * const { options, reasons } = dataDefaults(train, new Set(["epochs"]));
 * const model = await trainClassifier({ train }, { ...options, epochs: 5 });
 */
export function dataDefaults(
  train: Dataset,
  fixed: ReadonlySet<keyof ClassifierOptions> = new Set(),
  given: Partial<ClassifierOptions> = {},
): DataDefaults {
  const profile = profileData(train, given);
  const options: Partial<ClassifierOptions> = {};
  const reasons: string[] = [];
  const free = (name: keyof ClassifierOptions) => !fixed.has(name);
  if (profile.hanShare >= CHINESE_SHARE && free("minn") && free("maxn")) {
    options.minn = 1;
    options.maxn = 1;
    reasons.push(
      `mostly Chinese text (${percent(profile.hanShare)} of texts): character unigrams (minn 1, maxn 1) beside the segmented words`,
    );
  }
  if (profile.meanTokens >= LONG_DOCUMENT_TOKENS) {
    const changed: string[] = [];
    if (free("chunkTokens")) {
      options.chunkTokens = LONG_DOCUMENT_CHUNK;
      changed.push(`trained on chunks of ${LONG_DOCUMENT_CHUNK} tokens`);
    }
    if (changed.length > 0) {
      reasons.push(
        `long documents (mean ${Math.round(profile.meanTokens).toLocaleString("en-US")} tokens): ${changed.join(", ")}`,
      );
    }
  }
  return { options, reasons, profile };
}
