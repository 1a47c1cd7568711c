import { type Command, Option } from "commander";
import { TextkitError } from "../core/errors.ts";
import { loadDataset } from "../data/index.ts";
import {
  classificationReportToDict,
  confusionMatrix,
  formatConfusionMatrix,
  topKAccuracy,
} from "../eval/index.ts";
import { loadClassifier } from "../models/classifier/index.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf } from "./data-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";
import { evaluationMetrics, formatEvaluation } from "./report-output.ts";

interface EvalFlags extends DataFlags {
  model: string;
  data: string;
  confusion?: boolean;
  topK: number;
  digits: number;
  json?: boolean;
}

async function runEval(flags: EvalFlags, io: CliIo): Promise<void> {
  const model = await loadClassifier(flags.model);
  if (flags.confusion && model.multiLabel) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--confusion needs a single-label model; this one gives each text a set of labels",
    );
  }
  const data = await loadDataset(flags.data, { ...readOptionsOf(flags), minClasses: 1 });
  const evaluation = model.evaluate(data);
  const truth = data.examples.map((e) => e.labels[0]!);
  let topK: { k: number; accuracy: number } | undefined;
  if (!model.multiLabel) {
    const texts = data.examples.map((e) => e.text);
    const ranked = model.predict(texts, { k: flags.topK }).map((p) => p.labels);
    topK = { k: flags.topK, accuracy: topKAccuracy(truth, ranked, flags.topK) };
  }
  const cm = flags.confusion
    ? confusionMatrix(
        truth,
        evaluation.predictions.map((p) => p[0]!),
      )
    : undefined;
  if (flags.json) {
    const result = {
      model: flags.model,
      data: flags.data,
      ...evaluationMetrics(evaluation, topK),
      report: classificationReportToDict(evaluation.report),
      ...(cm === undefined ? {} : { confusion: cm }),
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let out = formatEvaluation("eval", flags.data, evaluation, flags.digits, topK);
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
    .action(async (flags: EvalFlags) => {
      await runEval(flags, io);
    });
  return command;
}
