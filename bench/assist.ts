/**
 * npm run bench:assist [-- CLINC150_DIR]
 *
 * The assistant's intent path on CLINC150 (Larson et al. 2019: 150 intents plus
 * out-of-scope queries), beside nlp.js (the TypeScript-world peer) trained on the same
 * data in one run: in-scope accuracy and out-of-scope recall on the test split at the
 * threshold each system's confidence gets on the validation split (the same rule for both:
 * the threshold that maximises the mean of in-scope accuracy and out-of-scope recall on
 * val + oos_val), and training time. Published anchor: BERT 96.2% in-scope accuracy with
 * 52.3% out-of-scope recall by thresholding. Targets: in-scope accuracy >= 95%,
 * out-of-scope recall >= 70%, training in seconds, clearly ahead of nlp.js on both.
 */
import { join } from "node:path";
import {
  chooseThreshold,
  evaluateAssistant,
  type HeldOutDecision,
  type Knowledge,
  trainAssistant,
} from "../src/apps/assist/index.ts";
import {
  createNlpJs,
  fmt,
  machine,
  markdownTable,
  readClinc150,
  SHARED_DATA,
  today,
  writeResult,
} from "./common.ts";

interface Row {
  system: string;
  inScopeAccuracy: number;
  outOfScopeRecall: number;
  outOfScopePrecision: number;
  threshold: string;
  trainSeconds: number;
  notes: string;
}

type Pairs = [string, string][];

async function nlpjs(train: Pairs, val: Pairs, test: Pairs): Promise<Row[]> {
  const nlp = await createNlpJs();
  if (nlp === null) {
    return [];
  }
  for (const [text, intent] of train) nlp.addDocument("en", text, intent);
  const t0 = performance.now();
  await nlp.train();
  const trainSeconds = (performance.now() - t0) / 1000;
  // nlp.js answers "None" below its own threshold; its classifications carry every intent's score.
  const judge = async (pairs: Pairs) => {
    const out: { confidence: number; top: string; truth: string; none: boolean }[] = [];
    for (const [text, truth] of pairs) {
      const r = (await nlp.process("en", text)) as {
        intent: string;
        score: number;
        classifications?: { intent: string; score: number }[];
      };
      const best = r.classifications?.[0];
      out.push({
        confidence: best?.score ?? r.score,
        top: best?.intent ?? r.intent,
        truth,
        none: r.intent === "None",
      });
    }
    return out;
  };
  const decisions = (judged: Awaited<ReturnType<typeof judge>>): HeldOutDecision[] =>
    judged.map((j) => ({
      confidence: j.confidence,
      inScope: j.truth !== "oos",
      correct: j.truth !== "oos" && j.top === j.truth,
    }));
  const choice = chooseThreshold(decisions(await judge(val)));
  const onTest = await judge(test);
  const score = (accept: (j: (typeof onTest)[number]) => boolean) => {
    const inScope = onTest.filter((j) => j.truth !== "oos");
    const oos = onTest.filter((j) => j.truth === "oos");
    const rejectedIn = inScope.filter((j) => !accept(j)).length;
    const rejectedOos = oos.filter((j) => !accept(j)).length;
    return {
      inScopeAccuracy: inScope.filter((j) => accept(j) && j.top === j.truth).length / inScope.length,
      outOfScopeRecall: rejectedOos / oos.length,
      outOfScopePrecision: rejectedOos / Math.max(1, rejectedOos + rejectedIn),
    };
  };
  return [
    {
      system: "nlp.js",
      ...score((j) => j.confidence >= choice.threshold),
      threshold: `${choice.threshold.toFixed(3)} (val)`,
      trainSeconds,
      notes: "in-scope intents only; threshold on its top score chosen on val",
    },
    {
      system: "nlp.js (its own None)",
      ...score((j) => !j.none),
      threshold: "built in",
      trainSeconds,
      notes: "nlp.js's default decision to answer None",
    },
  ];
}

async function main(): Promise<void> {
  const dir = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? join(SHARED_DATA, "clinc150");
  let clinc: ReturnType<typeof readClinc150>;
  try {
    clinc = readClinc150(dir);
  } catch {
    console.log(`skip: no CLINC150 at ${dir} (data_full.json); see ../shared/data/README.md`);
    return;
  }
  const pairs = (key: string): Pairs => clinc.part(key).examples.map((e) => [e.text, e.labels[0]!]);
  const train = pairs("train");
  const val = [...pairs("val"), ...pairs("oos_val").map(([t]) => [t, "oos"] as [string, string])];
  const test = [...pairs("test"), ...pairs("oos_test").map(([t]) => [t, "oos"] as [string, string])];
  const oosTrain = pairs("oos_train").map(([t]) => t);
  const intents = [...new Set(train.map(([, i]) => i))].sort();
  const knowledge = (withOos: boolean): Knowledge => ({
    dir: dir,
    settings: {
      name: "clinc150",
      description: "",
      languages: ["en"],
      handover: { en: "handover", zh: "handover" },
      fallback: { en: "", zh: "" },
    },
    intents: intents.map((id) => ({
      id,
      lang: "en",
      description: "",
      examples: train.filter(([, i]) => i === id).map(([t]) => t),
      answer: `(${id})`,
      slots: [],
      handover: false,
      file: "clinc150",
      line: 0,
    })),
    outOfScope: withOos ? oosTrain.map((text) => ({ text, lang: "en" as const })) : [],
    faqs: [],
    documents: [],
  });
  const validation = val.map(([text, intent]) => ({ text, intent }));
  const questions = test.map(([text, intent]) => ({ text, intent }));
  const rows: Row[] = [];
  const variants: { withOos: boolean; recall: number | null }[] = [
    { withOos: true, recall: null },
    { withOos: true, recall: 0.7 },
    { withOos: false, recall: null },
  ];
  for (const { withOos, recall } of variants) {
    const t0 = performance.now();
    const assistant = await trainAssistant(
      { knowledge: knowledge(withOos), validation },
      { seed: 1, outOfScopeRecall: recall },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    const report = await evaluateAssistant(assistant, questions, { k: 5 });
    rows.push({
      system: !withOos
        ? "textkit assistant, no out-of-scope class"
        : recall === null
          ? "textkit assistant (balanced threshold)"
          : `textkit assistant (threshold for ${recall * 100}% out-of-scope recall on val)`,
      inScopeAccuracy: report.inScopeAccuracy!,
      outOfScopeRecall: report.outOfScopeRecall!,
      outOfScopePrecision: report.outOfScopePrecision!,
      threshold: `${assistant.threshold.toFixed(3)} (val)`,
      trainSeconds,
      notes: withOos
        ? `oos_train (${oosTrain.length}) as a class; temperature ${assistant.temperature.toFixed(2)} on val`
        : `threshold only, as BERT's published figure; temperature ${assistant.temperature.toFixed(2)}`,
    });
    console.log(rows.at(-1));
  }
  rows.push(...(await nlpjs(train, val, test)));
  const ours = rows[0]!;
  const table = markdownTable(
    [
      "system",
      "in-scope accuracy %",
      "out-of-scope recall %",
      "out-of-scope precision %",
      "threshold",
      "train s",
      "train s / textkit",
      "notes",
    ],
    rows.map((r) => [
      r.system,
      fmt.pct(r.inScopeAccuracy),
      fmt.pct(r.outOfScopeRecall),
      fmt.pct(r.outOfScopePrecision),
      r.threshold,
      fmt.s(r.trainSeconds),
      fmt.ratio(r.trainSeconds / ours.trainSeconds),
      r.notes,
    ]),
  );
  const body =
    `# bench:assist, ${today()}\n\nMachine: ${machine()}. One thread. Command: npm run bench:assist.\n\n${table}\n\n` +
    `Data: CLINC150 data_full.json (${dir}): train ${train.length} (150 intents), val ${pairs("val").length} + oos_val ${pairs("oos_val").length} ` +
    `(threshold and temperature chosen here), test ${pairs("test").length} + oos_test ${pairs("oos_test").length} (reported).\n` +
    "In-scope accuracy counts a rejected in-scope query as wrong (CLINC150's protocol); out-of-scope recall is the share of " +
    "oos_test queries no intent answers; precision, the out-of-scope share of what no intent answers.\n" +
    "Published anchor (Larson et al. 2019, full data, thresholding): BERT in-scope accuracy 96.2%, out-of-scope recall 52.3%. " +
    "Targets: in-scope accuracy >= 95%, out-of-scope recall >= 70%.\n";
  console.log(body);
  console.log(`written to ${writeResult("assist", body)}`);
}

await main();
