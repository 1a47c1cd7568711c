/** Training an assistant on a knowledge folder: the intent classifier, its calibration, the indexes. */
import type { TrainHooks } from "../../core/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import { type Dataset, datasetFromExamples } from "../../data/index.ts";
import {
  type EncoderClassifier,
  loadLanguageDetector,
  trainClassifier,
  trainEncoderClassifier,
} from "../../models/classifier/index.ts";
import {
  buildRetrievalIndex,
  type RetrievalIndex,
  SentencePassageEncoder,
  splitDocument,
} from "../../models/retrieval/index.ts";
import { detectLanguage, TEXT_LANGUAGES } from "../../text/index.ts";
import { Assistant, type IntentModel } from "./assistant.ts";
import {
  type AssistantEncoderTraining,
  type AssistantSnapshot,
  type AssistantTraining,
  type LabelledQuestion,
  OUT_OF_SCOPE,
} from "./assistant-types.ts";
import {
  applyTemperature,
  chooseThreshold,
  fitTemperature,
  type HeldOutDecision,
  type ThresholdChoice,
} from "./calibration.ts";
import { distribution, keepLanguage, sharesWords } from "./intent-scoring.ts";
import { documentRef } from "./knowledge.ts";
import type { Knowledge } from "./knowledge-types.ts";
import { type AssistantOptions, DEFAULT_ASSISTANT_OPTIONS } from "./options.ts";

/** Out-of-scope examples needed before they become a class of their own. */
const MIN_OOS_EXAMPLES = 5;

function stratifiedSplit<T extends { label: string }>(
  items: readonly T[],
  fraction: number,
  seed: number,
): { train: T[]; held: T[] } {
  const byLabel = new Map<string, T[]>();
  for (const item of items) {
    const list = byLabel.get(item.label) ?? [];
    list.push(item);
    byLabel.set(item.label, list);
  }
  const rng = new Random(seed);
  const train: T[] = [];
  const held: T[] = [];
  for (const list of byLabel.values()) {
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    // An intent keeps at least one example to learn from.
    const n = Math.min(shuffled.length - 1, Math.round(shuffled.length * fraction));
    held.push(...shuffled.slice(0, n));
    train.push(...shuffled.slice(n));
  }
  return { train, held };
}

/**
 * The examples to train on and the questions held out to calibrate: the given validation,
 * else a seeded share of each intent's examples (and of the out-of-scope ones).
 */
function splitHeldOut(
  training: AssistantTraining,
  options: AssistantOptions,
  examples: { text: string; label: string }[],
  oosExamples: { text: string; label: string }[],
  useOos: boolean,
): { trainItems: { text: string; label: string }[]; held: LabelledQuestion[] } {
  const { knowledge } = training;
  let trainItems = [...examples, ...oosExamples];
  let held: LabelledQuestion[];
  if (training.validation !== undefined) {
    held = [...training.validation];
  } else {
    const split = stratifiedSplit(trainItems, options.validationFraction, options.seed);
    trainItems = split.train;
    held = split.held.map((e) => ({ text: e.text, intent: e.label === OUT_OF_SCOPE ? "oos" : e.label }));
    // Out-of-scope examples that are not a class are still held out to choose the threshold.
    if (!useOos) {
      const oosSplit = stratifiedSplit(
        knowledge.outOfScope.map((o) => ({ text: o.text, label: "oos" })),
        0.5,
        options.seed,
      );
      held.push(...oosSplit.held.map((e) => ({ text: e.text, intent: "oos" })));
    }
  }
  return { trainItems, held };
}

/**
 * The intent model as a head on a pretrained encoder (`trainEncoderClassifier`, the head's
 * own defaults unless given). An ensemble or an autotune chooses on the held-out questions
 * whose intent the model has, which then also calibrate it.
 */
async function trainIntentHead(
  spec: AssistantEncoderTraining,
  dataset: Dataset,
  held: readonly LabelledQuestion[],
  seed: number,
  hooks: TrainHooks,
): Promise<EncoderClassifier> {
  const choosing = (spec.ensemble !== undefined && spec.ensemble !== false) || (spec.autotuneTrials ?? 0) > 1;
  const known = new Set(dataset.labels);
  const devRows = held
    .map((h) => ({ text: h.text, label: h.intent === "oos" ? OUT_OF_SCOPE : h.intent }))
    .filter((h) => known.has(h.label));
  if (choosing && devRows.length === 0) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--ensemble and --autotune choose on the held-out questions, and none of them has an intent of the model",
    );
  }
  const dev = choosing
    ? datasetFromExamples(
        `${dataset.source}, held out`,
        devRows.map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 })),
      )
    : undefined;
  return trainEncoderClassifier(
    { train: dataset, ...(dev === undefined ? {} : { dev }) },
    {
      encoder: spec.encoder,
      ...(spec.path === undefined ? {} : { encoderPath: spec.path }),
      head: { seed, ...spec.head },
      ensemble: spec.ensemble ?? false,
      ...(spec.autotuneTrials === undefined ? {} : { autotuneTrials: spec.autotuneTrials }),
    },
    hooks,
  );
}

/** What calibrating the intent classifier gives the assistant. */
interface CalibratedIntents {
  classifier: IntentModel;
  temperature: number;
  threshold: ThresholdChoice;
  exampleIndex: RetrievalIndex;
  heldCount: number;
  heldOos: number;
}

/**
 * Trains the intent classifier and calibrates it on held-out questions (its temperature,
 * its threshold); sets `options.classifier`'s epochs when they were not given.
 */
async function trainIntents(
  training: AssistantTraining,
  options: AssistantOptions,
  partialOptions: Partial<AssistantOptions>,
  hooks: TrainHooks,
  examples: { text: string; label: string }[],
  oosExamples: { text: string; label: string }[],
  useOos: boolean,
): Promise<CalibratedIntents> {
  const { knowledge } = training;
  const { trainItems, held } = splitHeldOut(training, options, examples, oosExamples, useOos);
  const dataset = datasetFromExamples(
    `${knowledge.dir} (intents)`,
    trainItems.map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 })),
  );
  let classifier: IntentModel;
  if (training.encoder === undefined) {
    // Few examples need more passes: about as many updates as 3,000 examples in 15 epochs,
    // 15 epochs from 3,000 examples up, at most 100 (unless the epochs were given).
    if (partialOptions.classifier?.epochs === undefined) {
      options.classifier = {
        ...options.classifier,
        epochs: Math.min(100, Math.max(15, Math.round((15 * 3000) / Math.max(1, trainItems.length)))),
      };
    }
    classifier = await trainClassifier(
      { train: dataset },
      { ...options.classifier, seed: options.seed },
      hooks,
    );
  } else {
    classifier = await trainIntentHead(training.encoder, dataset, held, options.seed, hooks);
  }
  const labels = classifier.labels;
  const predictions = await classifier.predict(
    held.map((h) => h.text),
    { k: labels.length },
  );
  const full = predictions.map((p) => distribution(labels, p));
  // The temperature is fitted on the held-out questions whose label the model has.
  const fit: { p: Float64Array; gold: number }[] = [];
  held.forEach((h, i) => {
    const gold = labels.indexOf(h.intent === "oos" ? OUT_OF_SCOPE : h.intent);
    if (gold >= 0) fit.push({ p: full[i]!, gold });
  });
  const temperature = fitTemperature(
    fit.map((f) => f.p),
    fit.map((f) => f.gold),
  );
  const intentLang = new Map(knowledge.intents.map((intent) => [intent.id, intent.lang]));
  const intentExamples = trainItems.filter((e) => e.label !== OUT_OF_SCOPE);
  const exampleIndex = await buildRetrievalIndex(
    intentExamples.map((e, i) => ({ id: `${e.label}#${i}`, text: e.text, meta: { intent: e.label } })),
    {},
  );
  const decisions: HeldOutDecision[] = held.map((h, i) => {
    const q = applyTemperature(full[i]!, temperature);
    keepLanguage(q, labels, (label) => intentLang.get(label) ?? null, detectLanguage(h.text));
    let best = 0;
    for (let j = 1; j < q.length; j++) if (q[j]! > q[best]!) best = j;
    const top = labels[best]!;
    const inScope = h.intent !== "oos";
    const supported = top !== OUT_OF_SCOPE && sharesWords(exampleIndex!, h.text, top);
    return {
      confidence: supported ? q[best]! : 0,
      inScope,
      correct: inScope && top === h.intent,
    };
  });
  const threshold = chooseThreshold(decisions, options.outOfScopeRecall);
  return {
    classifier,
    temperature,
    threshold,
    exampleIndex,
    heldCount: held.length,
    heldOos: held.filter((h) => h.intent === "oos").length,
  };
}

/** The FAQ and passage indexes, on the encoder's vectors when there is one. */
async function buildIndexes(
  knowledge: Knowledge,
  spec: AssistantEncoderTraining | undefined,
): Promise<{ faqIndex: RetrievalIndex | null; passageIndex: RetrievalIndex | null }> {
  const faqItems = knowledge.faqs.flatMap((faq) =>
    [faq.question, ...faq.alternatives].map((question, k) => ({
      id: `${faq.id}#${k}`,
      text: question,
      title: faq.question,
      source: `faq:${faq.id}`,
      meta: { faq: faq.id, lang: faq.lang ?? detectLanguage(question) },
    })),
  );
  const passages = knowledge.documents.flatMap((doc) =>
    splitDocument(doc.text, { format: doc.format, source: documentRef(doc.name) }).map((p) => ({
      id: p.id,
      text: p.text,
      title: p.title,
      source: p.source,
      meta: { lang: detectLanguage(p.text) },
    })),
  );
  // One passage encoder for both indexes: a message is encoded once for the two searches.
  const dense =
    spec === undefined
      ? undefined
      : new SentencePassageEncoder(spec.encoder, spec.path === undefined ? {} : { path: spec.path });
  // The FAQ's question is its first phrasing already: not indexed again as a title.
  const faqIndex =
    faqItems.length === 0 ? null : await buildRetrievalIndex(faqItems, { includeTitle: false }, dense);
  const passageIndex = passages.length === 0 ? null : await buildRetrievalIndex(passages, {}, dense);
  return { faqIndex, passageIndex };
}

/**
 * Trains an assistant on a knowledge folder's contents.
 *
 * @example
 * const assistant = await trainAssistant({ knowledge: await loadKnowledge("samples/assist") });
 * await assistant.save("models/assistant");
 */
export async function trainAssistant(
  training: AssistantTraining,
  partialOptions: Partial<AssistantOptions> = {},
  hooks: TrainHooks = {},
): Promise<Assistant> {
  const options: AssistantOptions = {
    ...DEFAULT_ASSISTANT_OPTIONS,
    ...partialOptions,
    classifier: { ...DEFAULT_ASSISTANT_OPTIONS.classifier, ...partialOptions.classifier },
  };
  const { knowledge } = training;
  const examples = knowledge.intents.flatMap((intent) =>
    intent.examples.map((text) => ({ text, label: intent.id })),
  );
  const useOos = options.outOfScopeClass && knowledge.outOfScope.length >= MIN_OOS_EXAMPLES;
  const oosExamples = useOos ? knowledge.outOfScope.map((o) => ({ text: o.text, label: OUT_OF_SCOPE })) : [];
  let classifier: IntentModel | null = null;
  let temperature = 1;
  let threshold: ThresholdChoice = {
    threshold: 0,
    rule: "precision",
    inScopeAccuracy: 0,
    outOfScopeRecall: null,
    acceptedAccuracy: 1,
  };
  let exampleIndex: RetrievalIndex | null = null;
  let heldCount = 0;
  let heldOos = 0;
  if (knowledge.intents.length >= 2) {
    ({ classifier, temperature, threshold, exampleIndex, heldCount, heldOos } = await trainIntents(
      training,
      options,
      partialOptions,
      hooks,
      examples,
      oosExamples,
      useOos,
    ));
  }
  const spec = training.encoder;
  const { faqIndex, passageIndex } = await buildIndexes(knowledge, spec);
  const taggers = { ...training.taggers };
  const snapshot: AssistantSnapshot = {
    settings: knowledge.settings,
    intents: knowledge.intents.map(({ examples: _e, file: _f, line: _l, ...rest }) => rest),
    faqs: knowledge.faqs.map(({ file: _f, line: _l, ...rest }) => rest),
    options,
    temperature,
    validation: { examples: heldCount, outOfScope: heldOos, temperature, threshold },
    taggers: TEXT_LANGUAGES.filter((l) => taggers[l] !== undefined),
    indexes: { faq: faqIndex !== null, passages: passageIndex !== null, examples: exampleIndex !== null },
    encoder:
      spec === undefined
        ? null
        : {
            id: spec.encoder.id,
            checksum: spec.encoder.checksum,
            dim: spec.encoder.dim,
            path: spec.path ?? null,
          },
  };
  const languages = await loadLanguageDetector(knowledge.settings.language ?? {});
  return new Assistant(snapshot, classifier, faqIndex, passageIndex, taggers, exampleIndex, languages);
}
