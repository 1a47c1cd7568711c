import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { type Example, loadDataset } from "../data/index.ts";
import {
  classificationReportToDict,
  confusionMatrix,
  formatConfusionMatrix,
  topKAccuracy,
} from "../eval/index.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf } from "./data-options.ts";
import { addEncoderOption, type OpenedClassifier, openClassifier } from "./encoder-head.ts";
import { fastTextTestLines, precisionAtK } from "./fasttext-output.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";

const EVAL_FORMATS = ["text", "json", "fasttext"] as const;

import { evaluationMetrics, formatEvaluation } from "./report-output.ts";

interface EvalFlags extends DataFlags {
  model: string;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
  data: string;
  confusion?: boolean;
  topK: number;
  digits: number;
  json?: boolean;
  outputFormat?: (typeof EVAL_FORMATS)[number];
  k: number;
  threshold: number;
}

/** Labels of the data that the model was not trained on, and how many examples carry one. */
export interface UnknownLabels {
  /** Examples with at least one label the model does not know. */
  examples: number;
  /** Each unknown label with the number of examples that carry it, most frequent first. */
  labels: [string, number][];
  /** Whether some label of the data is one the model knows. */
  anyKnown: boolean;
}

/**
 * The data's labels that the model cannot predict: every example that carries one counts
 * as wrong whatever the model does, so the report alone would mislead.
 *
 * @example
 * unknownLabelsOf([{ text: "a", labels: ["x"], line: 2 }], ["y"]); // { examples: 1, labels: [["x", 1]], anyKnown: false }
 */
export function unknownLabelsOf(examples: readonly Example[], modelLabels: readonly string[]): UnknownLabels {
  const known = new Set(modelLabels);
  const counts = new Map<string, number>();
  let withUnknown = 0;
  let anyKnown = false;
  for (const example of examples) {
    let unknown = false;
    for (const label of example.labels) {
      if (known.has(label)) anyKnown = true;
      else {
        unknown = true;
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
    }
    if (unknown) withUnknown++;
  }
  const labels = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { examples: withUnknown, labels, anyKnown };
}

/** `"a" (3), "b" (1)`, at most `limit` labels, then how many more. */
function listCounts(labels: readonly [string, number][], limit = 10): string {
  const shown = labels.slice(0, limit).map(([label, n]) => `${JSON.stringify(label)} (${n})`);
  return labels.length > limit ? `${shown.join(", ")} and ${labels.length - limit} more` : shown.join(", ");
}

/** Refuses data that shares no label with the model; warns when some examples carry labels it lacks. */
function checkLabels(
  data: { examples: readonly Example[] },
  file: string,
  model: { labels: readonly string[] },
  io: CliIo,
): UnknownLabels {
  const unknown = unknownLabelsOf(data.examples, model.labels);
  if (!unknown.anyKnown) {
    throw new TextkitError(
      "EVAL_LABELS_UNKNOWN",
      `none of the labels in ${file} is one the model knows: the data has ${listCounts(unknown.labels)}; ` +
        `the model's labels are ${model.labels
          .slice(0, 10)
          .map((l) => JSON.stringify(l))
          .join(", ")}` +
        (model.labels.length > 10 ? ` and ${model.labels.length - 10} more` : ""),
      { file, line: data.examples[0]?.line, details: { unknownLabels: Object.fromEntries(unknown.labels) } },
    );
  }
  if (unknown.examples > 0) {
    const share = ((100 * unknown.examples) / data.examples.length).toFixed(1);
    io.stderr.write(
      `warning: ${unknown.examples} of ${data.examples.length} examples (${share}%) in ${file} have labels the model ` +
        `does not know, and count as errors: ${listCounts(unknown.labels)}\n`,
    );
  }
  return unknown;
}

async function runEval(flags: EvalFlags, io: CliIo): Promise<void> {
  const model = await openClassifier(flags.model, flags);
  try {
    await evaluateOpened(model, flags, io);
  } finally {
    await model.close();
  }
}

async function evaluateOpened(model: OpenedClassifier, flags: EvalFlags, io: CliIo): Promise<void> {
  if (flags.confusion && model.multiLabel) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--confusion needs a single-label model; this one gives each text a set of labels",
    );
  }
  const data = await loadDataset(flags.data, { ...readOptionsOf(flags), minClasses: 1 });
  const unknown = checkLabels(data, flags.data, model, io);
  const evaluation = await model.evaluate(data);
  const truth = data.examples.map((e) => e.labels[0]!);
  let topK: { k: number; accuracy: number } | undefined;
  if (!model.multiLabel) {
    const texts = data.examples.map((e) => e.text);
    const ranked = (await model.predict(texts, { k: flags.topK })).map((p) => p.labels);
    topK = { k: flags.topK, accuracy: topKAccuracy(truth, ranked, flags.topK) };
  }
  const cm = flags.confusion
    ? confusionMatrix(
        truth,
        evaluation.predictions.map((p) => p[0]!),
      )
    : undefined;
  const format = flags.json ? "json" : (flags.outputFormat ?? "text");
  let fastTextLines = "";
  if (format === "fasttext") {
    const predicted = (
      await model.predict(
        data.examples.map((e) => e.text),
        { k: flags.k, threshold: flags.threshold },
      )
    ).map((p) => p.labels);
    fastTextLines = fastTextTestLines(
      precisionAtK(
        predicted,
        data.examples.map((e) => e.labels),
      ),
      flags.k,
    );
  }
  if (format === "json") {
    const result = {
      model: flags.model,
      data: flags.data,
      ...evaluationMetrics(evaluation, topK),
      ...(unknown.examples === 0
        ? {}
        : { unknownLabels: { examples: unknown.examples, labels: Object.fromEntries(unknown.labels) } }),
      report: classificationReportToDict(evaluation.report),
      ...(cm === undefined ? {} : { confusion: cm }),
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let out = fastTextLines + (fastTextLines === "" ? "" : "\n");
  out += formatEvaluation("eval", flags.data, evaluation, flags.digits, topK);
  if (cm !== undefined)
    out += `\nconfusion matrix (rows: true labels, columns: predicted)\n${formatConfusionMatrix(cm)}`;
  await writeAll(io.stdout, out);
}

/**
 * `textkit classify eval`.
 *
 * @example
 * registerClassifyEval(program.command("classify"), io);
 */
export function registerClassifyEval(classify: Command, io: CliIo): Command {
  const command = classify
    .command("eval")
    .summary("score a classifier on labelled data")
    .description(
      "Score a trained classifier on labelled data: scikit-learn's classification report, " +
        "accuracy, top-k accuracy and, with --confusion, the confusion matrix.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit classify train'")
    .requiredOption("--data <file>", "labelled data to score the model on");
  addLabelledDataOptions(command);
  addEncoderOption(command);
  command
    .option("--confusion", "also print the confusion matrix (single-label models)")
    .addOption(
      new Option("--top-k <k>", "also report the share of texts whose label is in the k best")
        .argParser(parseInteger("--top-k", 1))
        .default(5),
    )
    .addOption(
      new Option("--digits <n>", "digits after the point in the report")
        .argParser(parseInteger("--digits", 0))
        .default(2),
    )
    .option("--json", "print one JSON object (metrics, report, confusion matrix) instead of text")
    .addOption(
      new Option(
        "--output-format <format>",
        "text: the report; json: as --json; fasttext: first the N, P@k and R@k lines 'fasttext test' prints, then the report",
      ).argParser(parseChoice("--output-format", EVAL_FORMATS)),
    )
    .addOption(
      new Option("--k <k>", "labels per text for P@k and R@k (--output-format fasttext)")
        .argParser(parseInteger("--k", 1))
        .default(1),
    )
    .addOption(
      new Option(
        "--threshold <p>",
        "leave out labels scoring below this, for P@k and R@k (--output-format fasttext)",
      )
        .argParser(parseNumber("--threshold", 0))
        .default(0),
    )
    .action(async (flags: EvalFlags) => {
      await runEval(flags, io);
    });
  return command;
}
