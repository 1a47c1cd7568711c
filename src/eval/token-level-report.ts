/**
 * Token-level scores of a tagger: each token's tag scored as a label. Offered beside the
 * entity report and named so that nobody takes them for entity scores.
 */
import { compareCodePoints, TextkitError } from "../core/index.ts";
import {
  type ClassificationReport,
  classificationReport,
  formatClassificationReport,
} from "./classification-report.ts";
import { checkDigits, checkSentences, type Sentences } from "./entity-checks.ts";

export interface TokenLevelReportOptions {
  /** Whether O is one of the labels. Without it the report has a micro average over the entity tags instead of accuracy. */
  includeO: boolean;
  /** Digits after the point in `formatTokenLevelReport`; default 2. */
  digits?: number;
}

/** scikit-learn's report over the tags of all tokens, with a note of whether O was a label. */
export interface TokenLevelReport extends ClassificationReport {
  includeO: boolean;
}

/**
 * scikit-learn's `classification_report` over the tags of all tokens, each tag a label:
 * the numbers sklearn gives on the flattened tags (with `labels` = every tag but O when
 * `includeO` is false). This is not entity-level: a half-found entity scores its tokens.
 *
 * @example
 * const report = tokenLevelReport([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], { includeO: false });
 * report.micro; // { precision: 1, recall: 0.5, f1: 0.666..., support: 2 }
 * console.log(formatTokenLevelReport(report));
 */
export function tokenLevelReport(
  yTrue: Sentences,
  yPred: Sentences,
  options: TokenLevelReportOptions,
): TokenLevelReport {
  const includeO: unknown = options.includeO;
  if (typeof includeO !== "boolean") {
    throw new TextkitError("OPTION_INVALID", `includeO must be true or false, got ${String(includeO)}`);
  }
  const digits = options.digits === undefined ? 2 : checkDigits(options.digits);
  checkSentences(yTrue, yPred);
  const flatTrue = yTrue.flat();
  const flatPred = yPred.flat();
  let labels: string[] | undefined;
  if (!includeO) {
    const tags = new Set<string>(flatTrue);
    for (const tag of flatPred) tags.add(tag);
    tags.delete("O");
    if (tags.size === 0) {
      throw new TextkitError("EVAL_EMPTY", "every tag is O, so a token-level report without O has no rows");
    }
    labels = [...tags].sort(compareCodePoints);
  }
  const report = classificationReport(
    flatTrue,
    flatPred,
    labels === undefined ? { digits } : { digits, labels },
  );
  return { ...report, includeO };
}

/**
 * The token-level report as text: a line saying that it is token-level and whether O is
 * counted, a blank line, then the table byte for byte as sklearn prints it.
 */
export function formatTokenLevelReport(report: TokenLevelReport, digits = report.digits): string {
  const heading = report.includeO
    ? "Token-level report (not entity-level), with O: every token's tag scored as a label, O included"
    : "Token-level report (not entity-level), without O: every token's tag scored as a label, O left out";
  return `${heading}\n\n${formatClassificationReport(report, digits)}`;
}
