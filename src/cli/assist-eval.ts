/** `textkit assist eval`: an assistant scored on labelled questions, as text or JSON. */
import { type Command, Option } from "commander";
import {
  type AssistantReport,
  evaluateAssistant,
  loadAssistant,
  readQuestions,
} from "../apps/assist/index.ts";
import { addEncoderOption } from "./encoder-head.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";

interface EvalFlags {
  model: string;
  data: string;
  k: number;
  json?: boolean;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
}

/** How `assist chat` and `assist eval` find the encoder of an assistant trained on one. */
export function assistantRuntime(flags: {
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
}) {
  return {
    ...(flags.encoder === undefined ? {} : { encoderDir: flags.encoder }),
    encoderOptions: {
      ...(flags.encoderThreads === undefined ? {} : { threads: flags.encoderThreads }),
      ...(flags.encoderCache === undefined ? {} : { cacheDir: flags.encoderCache }),
    },
  };
}

async function runEval(flags: EvalFlags, io: CliIo): Promise<void> {
  const questions = await readQuestions(flags.data);
  const assistant = await loadAssistant(flags.model, assistantRuntime(flags));
  let report: AssistantReport;
  try {
    report = await evaluateAssistant(assistant, questions, { k: flags.k });
  } finally {
    await assistant.close();
  }
  if (flags.json === true) {
    await writeAll(io.stdout, `${JSON.stringify(report)}\n`);
    return;
  }
  await writeAll(io.stdout, formatReport(report, flags));
}

/** The report as the table `assist eval` prints. */
function formatReport(report: AssistantReport, flags: EvalFlags): string {
  const pct = (x: number | null) => (x === null ? "   n/a" : `${(x * 100).toFixed(1).padStart(5)}%`);
  // Inside a sentence, without the padding that aligns the table's column.
  const inlinePct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${flags.data}: ${report.questions} questions (${report.inScope} in scope, ${report.outOfScope} out of scope, ${report.retrieval} answered by the FAQ or documents)`,
    `intent threshold ${report.threshold.toFixed(3)}`,
    "",
    `in-scope accuracy (right intent, answered)   ${pct(report.inScopeAccuracy)}`,
    `intent accuracy before the threshold          ${pct(report.intentAccuracy)}`,
    `out-of-scope recall (not answered by intent)  ${pct(report.outOfScopeRecall)}`,
    `out-of-scope precision                        ${pct(report.outOfScopePrecision)}`,
    `retrieval recall@${flags.k} (FAQ and documents)        ${pct(report.retrievalRecall)}`,
    `retrieval MRR                                 ${report.retrievalMrr === null ? "   n/a" : report.retrievalMrr.toFixed(3).padStart(6)}`,
    `answered right, whole path                    ${pct(report.answeredRight)}`,
    "",
    "paths: " +
      Object.entries(report.paths)
        .map(([p, c]) => `${p} ${c}`)
        .join(", "),
    "",
    "confidence of the top intent   in scope right   in scope wrong   out of scope",
    ...report.histogram.map(
      (b) =>
        `  ${b.from.toFixed(1)}-${b.to.toFixed(1)}                     ${String(b.right).padStart(8)}         ${String(b.wrong).padStart(8)}       ${String(b.outOfScope).padStart(8)}`,
    ),
  ];
  if (report.suggested !== null) {
    lines.push(
      "",
      `retrieval thresholds that answer most of these right: --faq-threshold ${report.suggested.faqThreshold} ` +
        `--passage-threshold ${report.suggested.passageThreshold} (${inlinePct(report.suggested.answeredRight)} answered right; ` +
        "fitted to these questions, so check them on others)",
    );
  }
  if (report.confused.length > 0) {
    lines.push("", "most confused intents (true -> predicted: count)");
    for (const c of report.confused) lines.push(`  ${c.truth} -> ${c.predicted}: ${c.count}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Adds `assist eval` to the `assist` command. */
export function addAssistEval(assist: Command, io: CliIo): void {
  addEncoderOption(
    assist
      .command("eval")
      .summary("score an assistant on held-out questions")
      .description(
        "Intent accuracy, out-of-scope precision and recall at the assistant's threshold, retrieval recall@k and MRR " +
          "(questions labelled faq:<id> or doc:<file>), a confidence histogram and the most confused intents.",
      )
      .requiredOption("--model <dir>", "assistant directory")
      .requiredOption(
        "--data <file>",
        "questions: CSV/TSV/JSONL with text and intent (an intent id, oos, faq:<id> or doc:<file>)",
      )
      .addOption(new Option("--k <n>", "cut-off of recall@k").argParser(parseInteger("--k", 1)).default(5))
      .option("--json", "print one JSON object instead of text"),
  ).action(async (flags: EvalFlags) => runEval(flags, io));
}
