/**
 * The assistant: what it learnt from a knowledge folder (an intent classifier with an
 * out-of-scope class, its calibration and threshold, FAQ and passage indexes, entity
 * taggers for slots) and how it answers one message of a conversation:
 *
 * 1. an intent whose calibrated confidence reaches the threshold: its answer, after asking
 *    for any required slot the conversation has not given yet, and, for an intent that
 *    confirms, after the customer said yes to what it will do; an intent with an action
 *    answers from its webhook's answer (see `respond`);
 * 2. otherwise the FAQ, when a question matches well enough;
 * 3. otherwise a passage of the help documents, when one matches well enough;
 * 4. otherwise it says so and hands the conversation to a person.
 *
 * Every reply says which path produced it and why, with the scores and thresholds; only a
 * reply that serves an intent names it (`intent`), the others show the best one as a
 * `candidate`. The assistant holds no conversation itself: the state goes in and comes out
 * (the store keeps it).
 *
 * Slots live like a form's fields: they belong to the intent that collects them, are
 * filled, confirmed where the intent asks for it, and executed; then they are cleared, as
 * they are when the conversation is handed over or another intent takes over. A value a
 * customer gave for one request is never reused for the next.
 */
import { type ArtifactParts, writeArtifact } from "../../artifact/index.ts";
import { isOneOf, TEXTKIT_VERSION, TextkitError } from "../../core/index.ts";
import {
  type DetectedLanguage,
  EncoderClassifier,
  LanguageDetector,
  type TextClassifier,
} from "../../models/classifier/index.ts";
import type { RetrievalIndex, SearchOptions } from "../../models/retrieval/index.ts";
import type { SequenceTagger } from "../../models/tagger/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import { callAction } from "./action.ts";
import {
  ASSISTANT_FAMILY,
  ASSISTANT_FILE,
  type AssistantEncoderRef,
  type AssistantSnapshot,
  type AssistantValidation,
  type Classification,
  OUT_OF_SCOPE,
} from "./assistant-types.ts";
import { applyTemperature } from "./calibration.ts";
import { type ConversationState, NEW_CONVERSATION } from "./conversation-state.ts";
import { distribution, keepLanguage, sameLanguage, sharesWords } from "./intent-scoring.ts";
import type { AssistantSettings, Faq } from "./knowledge-types.ts";
import { type AssistantOptions, DEFAULT_ASSISTANT_OPTIONS } from "./options.ts";
import { ACTION_TEXTS, type Reply, type RespondContext, type ServedIntent } from "./reply.ts";
import { decideTurn, retrievalReply, type TurnContext, turnOf } from "./reply-turn.ts";
import { type FoundEntity, numbersOf, renderAnswer, type SlotValues } from "./slots.ts";

export type { AssistantOptions };
export { DEFAULT_ASSISTANT_OPTIONS };

/** The intent model: textkit's n-gram classifier, or a head on a pretrained encoder. */
export type IntentModel = TextClassifier | EncoderClassifier;

/**
 * A trained assistant. Create one with `trainAssistant` or `loadAssistant`.
 *
 * @example
 * const assistant = await trainAssistant(await loadKnowledge("samples/assist"));
 * const reply = assistant.reply("how much is in my checking account", NEW_CONVERSATION);
 * reply.path; // "intent"
 */
export class Assistant {
  readonly settings: AssistantSettings;
  readonly options: AssistantOptions;
  readonly temperature: number;
  readonly validation: AssistantValidation;
  private readonly intents: Map<string, ServedIntent>;
  private readonly faqs: Map<string, Omit<Faq, "file" | "line">>;
  private readonly context: TurnContext;

  constructor(
    private readonly snapshot: AssistantSnapshot,
    readonly classifier: IntentModel | null,
    readonly faqIndex: RetrievalIndex | null,
    readonly passageIndex: RetrievalIndex | null,
    readonly taggers: Partial<Record<TextLanguage, SequenceTagger>>,
    /** The intents' training examples, to check that a message shares a word with its intent's. */
    readonly exampleIndex: RetrievalIndex | null = null,
    /** Names each message's language (default: textkit's English/Chinese detector). */
    readonly languages: LanguageDetector = new LanguageDetector(null),
    /** Releases what loading opened for this assistant (a pretrained encoder). */
    private readonly release: () => Promise<void> = async () => {},
  ) {
    this.settings = snapshot.settings;
    this.options = snapshot.options;
    this.temperature = snapshot.temperature;
    this.validation = snapshot.validation;
    this.intents = new Map(snapshot.intents.map((i) => [i.id, i]));
    this.faqs = new Map(snapshot.faqs.map((f) => [f.id, f]));
    this.context = {
      settings: this.settings,
      options: this.options,
      threshold: this.validation.threshold.threshold,
      intents: this.intents,
      faqs: this.faqs,
      hasTagger: (lang) => this.taggers[lang] !== undefined,
    };
  }

  /** The pretrained encoder the intents and indexes go through, by checksum; null for an n-gram assistant. */
  get encoder(): AssistantEncoderRef | null {
    return this.snapshot.encoder ?? null;
  }

  /** Releases the encoder `loadAssistant` opened for it (a no-op otherwise); the assistant answers no more after. */
  async close(): Promise<void> {
    await this.release();
  }

  /** The intent ids. */
  get intentIds(): string[] {
    return [...this.intents.keys()];
  }

  /** The intents (without their examples, an action's secret hidden) and FAQs this assistant answers from. */
  knowledge(): { intents: ServedIntent[]; faqs: Omit<Faq, "file" | "line">[] } {
    // An action's secret is not shown, only whether there is one.
    const intents = [...this.intents.values()].map((i) =>
      i.action === null || i.action === undefined || i.action.secret === null
        ? i
        : { ...i, action: { ...i.action, secret: "(set)" } },
    );
    return { intents, faqs: [...this.faqs.values()] };
  }

  get threshold(): number {
    return this.validation.threshold.threshold;
  }

  /** True when replies need `replyAsync` or `respond`: the intents or the indexes go through a pretrained encoder. */
  get needsAsync(): boolean {
    return (
      this.classifier instanceof EncoderClassifier ||
      this.faqIndex?.needsAsync === true ||
      this.passageIndex?.needsAsync === true
    );
  }

  /**
   * The best intent of a message and its calibrated confidence; an out-of-scope prediction
   * is confidence 0 for every intent. An intent model on a pretrained encoder answers
   * through `classifyAsync` only (ENCODER_ASYNC_ONLY here).
   */
  classify(message: string, lang?: TextLanguage): Classification {
    const model = this.classifier;
    if (model === null) return { id: null, confidence: 0, outOfScope: false };
    if (model instanceof EncoderClassifier) throw this.asyncOnly("classifyAsync");
    const [p] = model.predict([message], { k: model.labels.length });
    return this.weigh(message, model.labels, p, lang);
  }

  /** `classify` through any intent model, one on a pretrained encoder included. */
  async classifyAsync(message: string, lang?: TextLanguage): Promise<Classification> {
    const model = this.classifier;
    if (model === null) return { id: null, confidence: 0, outOfScope: false };
    const [p] = await model.predict([message], { k: model.labels.length });
    return this.weigh(message, model.labels, p, lang);
  }

  /** The classification of a prediction of every label: calibrated, by language, out of scope, shared words. */
  private weigh(
    message: string,
    labels: readonly string[],
    p: { labels: string[]; scores: number[] } | undefined,
    lang: TextLanguage | undefined,
  ): Classification {
    const q = applyTemperature(distribution(labels, p ?? { labels: [], scores: [] }), this.temperature);
    if (lang !== undefined) keepLanguage(q, labels, (label) => this.intents.get(label)?.lang ?? null, lang);
    const at = (i: number): number => q[i] ?? 0;
    let best = -1;
    for (let i = 0; i < q.length; i++) if (best < 0 || at(i) > at(best)) best = i;
    const top = labels[best];
    if (top === undefined) return { id: null, confidence: 0, outOfScope: false };
    if (top === OUT_OF_SCOPE) {
      let intent = -1;
      for (let i = 0; i < q.length; i++)
        if (labels[i] !== OUT_OF_SCOPE && at(i) > 0 && (intent < 0 || at(i) > at(intent))) intent = i;
      return { id: labels[intent] ?? null, confidence: 0, outOfScope: true };
    }
    if (this.exampleIndex !== null && !sharesWords(this.exampleIndex, message, top)) {
      return { id: top, confidence: 0, outOfScope: false, unsupported: true };
    }
    return { id: top, confidence: at(best), outOfScope: false };
  }

  /** The entities of a message, by the tagger of its language (none without one). */
  entities(message: string, lang: TextLanguage): FoundEntity[] {
    const tagger = this.taggers[lang];
    return tagger === undefined ? [] : (tagger.predict([message])[0]?.entities ?? []);
  }

  /**
   * Answers one message of a conversation in `state`; returns the reply and the new state.
   * It calls nothing: a confirmed action comes back with `action.status` "pending" and no
   * text; `respond` calls its webhook and answers from it. An assistant on a pretrained
   * encoder answers through `replyAsync` or `respond` only (ENCODER_ASYNC_ONLY here).
   */
  reply(message: string, state: ConversationState = NEW_CONVERSATION): Reply {
    if (this.needsAsync) throw this.asyncOnly("replyAsync or respond");
    const heard = this.hear(message, state);
    const turn = turnOf(this.context, heard, this.classify(heard.text, heard.lang));
    const decided = decideTurn(this.context, turn, state);
    if (decided !== null) return decided;
    const options = this.searchOptions(turn.lang);
    return retrievalReply(
      this.context,
      turn,
      this.faqIndex?.search(turn.text, options)[0],
      this.passageIndex?.search(turn.text, options)[0],
    );
  }

  /**
   * `reply` through any models, those on a pretrained encoder included: the message is
   * encoded once (the indexes' query cache shares its vector with the intent head).
   *
   * @example
   * const r = await assistant.replyAsync("how much is in my checking account");
   */
  async replyAsync(message: string, state: ConversationState = NEW_CONVERSATION): Promise<Reply> {
    const heard = this.hear(message, state);
    const turn = turnOf(this.context, heard, await this.classifyAsync(heard.text, heard.lang));
    const decided = decideTurn(this.context, turn, state);
    if (decided !== null) return decided;
    const options = this.searchOptions(turn.lang);
    const [faqHits, passageHits] = await Promise.all([
      this.faqIndex?.searchAsync(turn.text, options),
      this.passageIndex?.searchAsync(turn.text, options),
    ]);
    return retrievalReply(this.context, turn, faqHits?.[0], passageHits?.[0]);
  }

  /** The message's text, its language as detected and as answered in, and its entities. */
  private hear(
    message: string,
    state: ConversationState,
  ): { text: string; lang: TextLanguage; detected: DetectedLanguage; entities: FoundEntity[] } {
    const text = message.trim();
    // A message without letters ("$250", "42") keeps the conversation's language.
    const detected: DetectedLanguage =
      /\p{L}/u.test(text) || state.lang === null
        ? (this.languages.detect([text])[0] ?? { language: detectLanguage(text), score: null })
        : { language: state.lang, score: null };
    // The reply's language: the detected one when the assistant answers in it, else what
    // textkit's detector says (a French message is answered, or handed over, in English).
    const lang = isOneOf(detected.language, TEXT_LANGUAGES) ? detected.language : detectLanguage(text);
    return { text, lang, detected, entities: this.entities(text, lang) };
  }

  /** How the FAQ and passage indexes are searched for a message in `lang`. */
  private searchOptions(lang: TextLanguage): SearchOptions {
    const mode = this.options.retrievalMode;
    return {
      k: 3,
      filter: (item) => sameLanguage(item.meta, lang),
      ...(mode === undefined ? {} : { mode }),
    };
  }

  private asyncOnly(method: string): TextkitError {
    return new TextkitError(
      "ENCODER_ASYNC_ONLY",
      `this assistant's models go through the pretrained encoder ${this.encoder?.id ?? ""}, which answers asynchronously: call ${method}`,
    );
  }

  /**
   * Answers one message like `reply`, and carries out a confirmed action: calls the
   * intent's webhook and answers from what it says, or says honestly that it failed.
   *
   * @example
   * const r = await assistant.respond("yes", state, { conversation: "c-42" });
   * r.action; // { status: "done", attempts: 1, error: null }
   */
  async respond(message: string, state: ConversationState, context: RespondContext = {}): Promise<Reply> {
    const reply = await this.replyAsync(message, state);
    return reply.action?.status === "pending" ? this.perform(reply, context) : reply;
  }

  /** Calls the webhook of a reply whose action is pending; returns the reply to give. */
  async perform(reply: Reply, context: RespondContext = {}): Promise<Reply> {
    const intent = reply.intent === null ? undefined : this.intents.get(reply.intent.id);
    const action = intent?.action ?? null;
    if (intent === undefined || action === null || reply.action?.status !== "pending") return reply;
    const { conversation = null, ...callOptions } = context;
    const outcome = await callAction(
      action,
      {
        intent: intent.id,
        slots: reply.slots,
        numbers: numbersOf(reply.slots),
        conversation,
        lang: reply.lang,
      },
      callOptions,
    );
    const texts = ACTION_TEXTS[reply.lang];
    let text: string;
    if (outcome.status === "done") {
      // Fields the webhook did not give are left empty rather than shown as {name}.
      const values: SlotValues = Object.fromEntries(action.fields.map((f) => [f, ""]));
      Object.assign(values, outcome.fields, reply.slots);
      text = renderAnswer(outcome.reply ?? intent.answer, intent.slots, values);
    } else if (outcome.status === "refused") {
      text = outcome.reply === null ? texts.refused : renderAnswer(outcome.reply, intent.slots, reply.slots);
    } else {
      text = action.failure ?? texts.failed;
    }
    const error = outcome.status === "done" ? null : outcome.error;
    const tries = `${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}`;
    return {
      ...reply,
      text,
      action: { status: outcome.status, attempts: outcome.attempts, error },
      why: `${reply.why}; its action webhook ${outcome.status === "done" ? "answered" : outcome.status} after ${tries}${error === null ? "" : ` (${error})`}`,
    };
  }

  /**
   * Writes the assistant as one directory, its models inside (see writeArtifact's parts).
   * With `bundle`, an intent head carries its encoder's files (see `EncoderClassifier.save`).
   */
  async save(dir: string, options: { bundle?: boolean } = {}): Promise<void> {
    const parts: Record<string, ArtifactParts> = {};
    const model = this.classifier;
    if (options.bundle === true && !(model instanceof EncoderClassifier)) {
      throw new TextkitError(
        "OPTION_INVALID",
        "--bundle carries the encoder inside the intent model: it needs --encoder and at least two intents",
      );
    }
    if (model instanceof EncoderClassifier)
      parts["intent"] = await model.artifactParts({ bundle: options.bundle === true });
    else if (model !== null) parts["intent"] = model.artifactParts();
    if (this.faqIndex !== null) parts["faq"] = this.faqIndex.artifactParts();
    if (this.passageIndex !== null) parts["passages"] = this.passageIndex.artifactParts();
    if (this.exampleIndex !== null) parts["examples"] = this.exampleIndex.artifactParts();
    for (const lang of TEXT_LANGUAGES) {
      const tagger = this.taggers[lang];
      if (tagger !== undefined) parts[`tagger-${lang}`] = tagger.artifactParts();
    }
    await writeArtifact(
      dir,
      {
        family: ASSISTANT_FAMILY,
        task: "assistant",
        labels: this.intentIds,
        options: { ...this.options, name: this.settings.name },
        metrics: {
          threshold: this.validation.threshold.threshold,
          validationInScopeAccuracy: this.validation.threshold.inScopeAccuracy,
          validationOutOfScopeRecall: this.validation.threshold.outOfScopeRecall,
          temperature: this.temperature,
        },
        textkitVersion: TEXTKIT_VERSION,
      },
      { [ASSISTANT_FILE]: Buffer.from(`${JSON.stringify(this.snapshot, null, 2)}\n`, "utf8") },
      parts,
    );
  }
}
