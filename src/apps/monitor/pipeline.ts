/**
 * What happens to each document between a source and the store: its key, its language,
 * its topic and sentiment from the configured classifiers, its entities from a tagger when
 * one is configured, and its content words. Models are asked once per batch and language,
 * never once per document.
 */
import { basename } from "node:path";
import { isOneOf, TextkitError } from "../../core/index.ts";
import { LanguageDetector } from "../../models/classifier/index.ts";
import { TEXT_LANGUAGES, type TokenIdLists, TokenIds, type TokenSink } from "../../text/index.ts";
import type { ModelChoice, MonitorConfig, Sentiment } from "./config.ts";
import {
  documentKey,
  type MonitorDocument,
  type MonitorDocumentInput,
  type MonitorEntity,
} from "./document.ts";
import { storedDocument } from "./pipeline-wire.ts";
import { TermExtractor } from "./terms.ts";

/** The topic of documents when no topic model is configured for their language. */
export const NO_TOPIC = "untagged";
/** The sentiment of documents when no sentiment model is configured for their language. */
export const NO_SENTIMENT = "unknown";

export interface TopLabel {
  label: string;
  score: number;
}

/** A classifier as the monitor uses it: the best label of each text. */
export interface TextLabeler {
  top(texts: readonly string[]): TopLabel[] | Promise<TopLabel[]>;
  /**
   * The same from tokens, when the model offers it: models whose `key` is the same tokenize
   * alike, so the pipeline tokenizes each document once for all of them (and for its terms).
   */
  tokens?(): TokenLabeler | null;
}

export interface TokenLabeler {
  key: string;
  tokenize(text: string): string[];
  top(tokens: readonly (readonly string[])[]): TopLabel[] | Promise<TopLabel[]>;
  /**
   * The same from interned tokens, when the model offers it: the pipeline then looks each
   * token up once for every model and for the terms, and no object is made per text.
   */
  ids?: IdLabeler;
}

/** A model's best label of interned token lists: list `j`'s into `best[j]` (an index into `labels`) and `scores[j]`. */
export interface IdLabeler {
  readonly labels: readonly string[];
  top(lists: TokenIdLists, best: Int32Array, scores: Float64Array): void;
  /** The model's tokens of `text` (those of `TokenLabeler.tokenize`), put into `sink`. */
  tokenize(text: string, sink: TokenSink): void;
}

/** A model's answers for a group of documents: TopLabel per document, or label indices and scores. */
type Answers = TopLabel[] | { names: readonly string[]; best: Int32Array; scores: Float64Array };

/**
 * Tokens of a group's texts, made once per tokenization key: as strings for a model that
 * reads strings, as ids for one that reads ids (interned straight from the texts when no
 * model wanted the strings first).
 */
interface GroupTokens {
  tokens: string[][] | null;
  ids: TokenIdLists | null;
}

function labelAt(answers: Answers, j: number): string {
  if (Array.isArray(answers)) return answers[j]?.label ?? "";
  return answers.names[answers.best[j] ?? 0] ?? "";
}

function scoreAt(answers: Answers, j: number): number {
  if (Array.isArray(answers)) return answers[j]?.score ?? 0;
  return answers.scores[j] ?? 0;
}

/** A tagger as the monitor uses it: the entities of each text. */
export interface EntityFinder {
  find(texts: readonly string[]): MonitorEntity[][] | Promise<MonitorEntity[][]>;
}

/**
 * Where the monitor gets its models by name: the server's registry (so that a model
 * swapped in is used at once), or model directories for the command line.
 */
export interface MonitorModelSource {
  labeler(name: string): TextLabeler;
  entityFinder(name: string): EntityFinder;
  /**
   * The artifact directory of a model's active version, when the models are files: then the
   * pipeline can run on worker threads that load them (see PipelinePool).
   */
  artifactDir?(name: string, family: "classifier" | "tagger"): string;
}

/**
 * The model for documents in `lang`: a single model reads every language (its own tokenizer
 * splits a French or German text on spaces and punctuation as it does English); a model per
 * language exists for English and Chinese only, so a document in another language then goes
 * unlabelled rather than be labelled by a model of another language.
 */
function modelFor(choice: ModelChoice | null, lang: string): string | null {
  if (choice === null) return null;
  if (typeof choice === "string") return choice;
  return isOneOf(lang, TEXT_LANGUAGES) ? (choice[lang] ?? null) : null;
}

/** A stored document with its key and language, not yet labelled (no topic, sentiment, terms). */
function unlabelled(
  input: MonitorDocumentInput,
  ingestedAt: number,
  key: string,
  lang: string,
  langScore: number | null,
): MonitorDocument {
  return storedDocument(input, ingestedAt, {
    key,
    lang,
    langScore,
    topic: NO_TOPIC,
    topicScore: null,
    sentiment: NO_SENTIMENT,
    sentimentScore: null,
    entities: [],
    terms: [],
  });
}

/** The text a model reads: the title and the text on two lines. */
function modelText(doc: MonitorDocumentInput): string {
  return doc.title === undefined ? doc.text : `${doc.title}\n${doc.text}`;
}

/**
 * Turns checked inputs into stored documents.
 *
 * @example
 * const pipeline = new DocumentPipeline(config, models);
 * const [doc] = await pipeline.enrich([{ text: "Norvale Bank's app is down again" }], Date.now());
 * doc.topic; // "banking"
 */
export class DocumentPipeline {
  /**
   * `languages` names each document's language (default: textkit's English/Chinese
   * detector; Monitor.open loads the configured model into one); `terms` picks the content
   * words (a worker passes the one it keeps, with what it learnt of earlier batches);
   * `tokenIds` interns the tokens the models and the terms share (a worker keeps one too).
   */
  constructor(
    private readonly config: MonitorConfig,
    private readonly models: MonitorModelSource,
    private readonly languages: LanguageDetector = new LanguageDetector(null),
    private readonly terms: TermExtractor = new TermExtractor(config.termsPerDocument),
    private readonly tokenIds: TokenIds = new TokenIds(),
  ) {}

  /**
   * The language of each input (into `langs` and `scores`): its own when it names one, else
   * detected (once per document) from its model text.
   */
  private languagesOf(
    inputs: readonly MonitorDocumentInput[],
    texts: readonly string[],
  ): { langs: string[]; scores: (number | null)[] } {
    const unnamed: number[] = [];
    const unnamedTexts: string[] = [];
    const langs: string[] = new Array(inputs.length);
    const scores: (number | null)[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const lang = inputs[i]?.lang;
      langs[i] = lang ?? "en";
      scores[i] = null;
      if (lang !== undefined) continue;
      unnamed.push(i);
      unnamedTexts.push(texts[i] ?? "");
    }
    const detected = this.languages.detect(unnamedTexts);
    for (let j = 0; j < unnamed.length; j++) {
      const i = unnamed[j] ?? 0;
      const guess = detected[j];
      if (guess === undefined) continue;
      langs[i] = guess.language;
      scores[i] = guess.score;
    }
    return { langs, scores };
  }

  /**
   * The model names in use, for the status route; `language` is the language model's file
   * name (not its path on the server), or "textkit:en-zh" for textkit's own detector.
   */
  describeModels(): {
    topic: string | null;
    sentiment: string | null;
    entities: string | null;
    language: string;
  } {
    const show = (c: ModelChoice | null) =>
      c === null
        ? null
        : typeof c === "string"
          ? c
          : TEXT_LANGUAGES.filter((l) => c[l] !== undefined)
              .map((l) => `${l}: ${c[l]}`)
              .join(", ");
    return {
      topic: show(this.config.models.topic),
      sentiment: show(this.config.models.sentiment),
      entities: show(this.config.models.entities),
      language: this.languages.hasModel ? basename(this.languages.source) : this.languages.source,
    };
  }

  /** The sentiment a model label stands for; a label the configuration does not map is an error. */
  sentimentOf(label: string): Sentiment {
    const s = this.config.sentimentLabels[label];
    if (s === undefined) {
      throw new TextkitError(
        "MONITOR_CONFIG_INVALID",
        `the sentiment model answered '${label}', which sentimentLabels does not map to positive, neutral or negative`,
        { details: { path: "sentimentLabels", label } },
      );
    }
    return s;
  }

  /** Labels every document; `ingestedAt` is their time of arrival (and their time when they have none). */
  async enrich(inputs: readonly MonitorDocumentInput[], ingestedAt: number): Promise<MonitorDocument[]> {
    // The text each model reads, made once per document (a title makes it a new string).
    const allTexts = inputs.map(modelText);
    const { langs, scores } = this.languagesOf(inputs, allTexts);
    const out: MonitorDocument[] = inputs.map((input, i) =>
      unlabelled(input, ingestedAt, documentKey(input), langs[i] ?? "en", scores[i] ?? null),
    );
    for (const lang of new Set(langs)) {
      const indices: number[] = [];
      for (let i = 0; i < langs.length; i++) if (langs[i] === lang) indices.push(i);
      await this.labelGroup(lang, indices, inputs, allTexts, out);
    }
    return out;
  }

  /** Labels the documents `indices` of `out`, all in `lang`, from their inputs and model texts. */
  private async labelGroup(
    lang: string,
    indices: readonly number[],
    inputs: readonly MonitorDocumentInput[],
    allTexts: readonly string[],
    out: readonly MonitorDocument[],
  ): Promise<void> {
    const texts = indices.map((i) => allTexts[i] ?? "");
    // Tokens made once, by the first model that offers a token path, for every model that
    // tokenizes alike, and for the terms.
    const tokenized = new Map<string, GroupTokens>();
    const topics = await this.answers(modelFor(this.config.models.topic, lang), texts, tokenized);
    const sentiments = await this.answers(modelFor(this.config.models.sentiment, lang), texts, tokenized);
    // The terms take the first tokens made, if any.
    const first = tokenized.values().next().value ?? null;
    for (let j = 0; j < indices.length; j++) {
      const doc = out[indices[j] ?? 0];
      if (doc === undefined) continue;
      if (topics !== null) {
        doc.topic = labelAt(topics, j);
        doc.topicScore = scoreAt(topics, j);
      }
      if (sentiments !== null) {
        doc.sentiment = this.sentimentOf(labelAt(sentiments, j));
        doc.sentimentScore = scoreAt(sentiments, j);
      }
      doc.terms =
        first?.ids != null
          ? this.terms.fromIds(first.ids, j)
          : first?.tokens != null
            ? this.terms.fromTokens(first.tokens[j] ?? [])
            : this.terms.terms(doc.title, doc.text);
    }
    const tagger = modelFor(this.config.models.entities, lang);
    if (tagger === null) return;
    // Offsets must point into the stored text, so the tagger reads the text alone.
    const found = await this.models.entityFinder(tagger).find(indices.map((i) => inputs[i]?.text ?? ""));
    const keep = this.config.entityLabels === null ? null : new Set(this.config.entityLabels);
    for (let j = 0; j < indices.length; j++) {
      const doc = out[indices[j] ?? 0];
      const entities = found[j] ?? [];
      if (doc !== undefined)
        doc.entities = keep === null ? entities : entities.filter((e) => keep.has(e.label));
    }
  }

  /**
   * The answers of model `name` (null: none configured) for `texts`, from the tokens of its
   * tokenization in `tokenized` (made there when first asked for), interned when it reads ids.
   */
  private async answers(
    name: string | null,
    texts: readonly string[],
    tokenized: Map<string, GroupTokens>,
  ): Promise<Answers | null> {
    if (name === null) return null;
    const labeler = this.models.labeler(name);
    const path = labeler.tokens?.() ?? null;
    if (path === null) return labeler.top(texts);
    let group = tokenized.get(path.key);
    if (group === undefined) {
      group = { tokens: null, ids: null };
      tokenized.set(path.key, group);
    }
    const byIds = path.ids;
    if (byIds === undefined) {
      group.tokens ??= texts.map((t) => path.tokenize(t));
      return path.top(group.tokens);
    }
    group.ids ??=
      group.tokens === null
        ? this.tokenIds.internTexts(texts, byIds.tokenize)
        : this.tokenIds.internAll(group.tokens);
    const best = new Int32Array(texts.length);
    const scores = new Float64Array(texts.length);
    byIds.top(group.ids, best, scores);
    return { names: byIds.labels, best, scores };
  }
}
