/**
 * The Assistant page: a chat with one of the server's assistants (models of family
 * "assistant"), each reply with the path that produced it and why, "Wrong answer" feedback,
 * and the open handovers to people beside it. The conversation id is kept in
 * sessionStorage per assistant, so that a reload continues the conversation.
 */
import { ApiError } from "./api.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatNumber, formatTime } from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import {
  ASSISTANT_FAMILY,
  type ChatReply,
  type Conversation,
  type ConversationTurn,
  type FeedbackBody,
  type Handover,
  type IntentScore,
  type ModelDetails,
  type ModelList,
  REPLY_PATHS,
  type ReplyPath,
} from "./types.ts";

const SELECTED_KEY = "textkit.assist.assistant";
const conversationKey = (assistant: string) => `textkit.assist.conversation.${assistant}`;
/** The feedback route's word for "none of the intents". */
const OUT_OF_SCOPE = "oos";

/**
 * A reply as a bubble shows it: from the chat route (everything) or restored from the
 * conversation log (which keeps the path, the best intent and its confidence only).
 */
interface ShownReply {
  turn: string;
  text: string;
  path: ReplyPath | null;
  intent: (Pick<IntentScore, "id" | "confidence"> & Partial<IntentScore>) | null;
  faq: ChatReply["faq"];
  passage: ChatReply["passage"];
  slots: Record<string, string>;
  asking: string | null;
  handover: boolean;
  /** Null for a restored turn. */
  why: string | null;
}

function isReplyPath(path: string): path is ReplyPath {
  return (REPLY_PATHS as readonly string[]).includes(path);
}

function fromChat(reply: ChatReply): ShownReply {
  return {
    turn: reply.turn,
    text: reply.text,
    path: reply.path,
    intent: reply.intent,
    faq: reply.faq,
    passage: reply.passage,
    slots: reply.slots,
    asking: reply.asking,
    handover: reply.handover,
    why: reply.why,
  };
}

function fromTurn(turn: ConversationTurn): ShownReply {
  const path = isReplyPath(turn.path) ? turn.path : null;
  return {
    turn: turn.id,
    text: turn.reply,
    path,
    intent: turn.intent === null ? null : { id: turn.intent, confidence: turn.confidence ?? 0 },
    faq: null,
    passage: null,
    slots: {},
    asking: null,
    handover: path === "handover",
    why: null,
  };
}

/** "doc:card-security.md" → "card-security.md". */
function documentName(source: string): string {
  return source.startsWith("doc:") ? source.slice(4) : source;
}

/** The badge's words: "intent · transfer 0.97", "FAQ · card-abroad 0.62", "document · card-security.md 0.58". */
function pathLabel(reply: ShownReply): string {
  switch (reply.path) {
    case "intent":
      return reply.intent === null
        ? "intent"
        : `intent · ${reply.intent.id} ${formatNumber(reply.intent.confidence)}`;
    case "slot":
      return reply.asking !== null
        ? `slot · ${reply.asking}`
        : reply.intent === null
          ? "slot"
          : `slot · ${reply.intent.id}`;
    case "confirm":
      return reply.intent === null ? "confirm" : `confirm · ${reply.intent.id}`;
    case "faq":
      return reply.faq === null ? "FAQ" : `FAQ · ${reply.faq.id} ${formatNumber(reply.faq.score)}`;
    case "passage":
      return reply.passage === null
        ? "document"
        : `document · ${documentName(reply.passage.source)} ${formatNumber(reply.passage.score)}`;
    case "handover":
      return "handover";
    default:
      return "reply";
  }
}

/** The scores against their thresholds, as rows of a definition list. */
function scoreFacts(reply: ShownReply): HTMLElement[] {
  const fact = (name: string, text: string) => [h("dt", {}, name), h("dd", {}, text)];
  const rows: HTMLElement[] = [];
  const intent = reply.intent;
  if (intent !== null) {
    const against =
      intent.threshold === undefined
        ? ""
        : ` vs threshold ${formatNumber(intent.threshold)}${intent.accepted === true ? " (accepted)" : " (below)"}`;
    rows.push(...fact("Intent", `${intent.id} ${formatNumber(intent.confidence)}${against}`));
  }
  if (reply.faq !== null) {
    rows.push(
      ...fact(
        "FAQ",
        `${reply.faq.id} “${reply.faq.question}” ${formatNumber(reply.faq.score)} vs threshold ${formatNumber(reply.faq.threshold)}`,
      ),
    );
  }
  if (reply.passage !== null) {
    const p = reply.passage;
    const title = p.title === "" ? "" : ` “${p.title}”`;
    rows.push(
      ...fact(
        "Document",
        `${documentName(p.source)}${title} ${formatNumber(p.score)} vs threshold ${formatNumber(p.threshold)}`,
      ),
    );
  }
  const slots = Object.entries(reply.slots);
  if (slots.length > 0) rows.push(...fact("Slots", slots.map(([k, v]) => `${k} = ${v}`).join(", ")));
  if (reply.asking !== null) rows.push(...fact("Asking for", reply.asking));
  return rows;
}

/**
 * The Assistant page.
 *
 * @example
 * const page = new AssistPage(context, new URLSearchParams("assistant=helpdesk"), sessionStorage);
 * page.mount(main);
 * await page.refresh();
 */
export class AssistPage implements Page {
  private readonly ctx: PageContext;
  private readonly storage: Storage;
  /** Bumped when the page goes or the assistant changes: answers for the old one are dropped. */
  private epoch = 0;
  private refreshes = 0;
  private handoverLoads = 0;
  private unmounted = false;
  private refreshFailed = false;
  private uid = 0;
  private assistants: string[] = [];
  private selected: string | null;
  /** The assistant whose conversation is on screen (undefined before the first list). */
  private shown: string | null | undefined = undefined;
  private conversation: string | null = null;
  private sending = false;
  /** The transcript restored from the log; a message waits for it, so that turns stay in order. */
  private restoring: Promise<void> = Promise.resolve();
  private readonly intents = new Map<string, Promise<string[]>>();
  private readonly openHandovers = new Set<string>();
  private handoverSignature = "";

  private select!: HTMLSelectElement;
  private emptyPanel!: HTMLElement;
  private layout!: HTMLElement;
  private chat!: HTMLElement;
  private conversationLabel!: HTMLElement;
  private transcript!: HTMLElement;
  private input!: HTMLInputElement;
  private sendButton!: HTMLButtonElement;
  private handoverTitle!: HTMLElement;
  private handoverList!: HTMLElement;

  constructor(ctx: PageContext, params: URLSearchParams, storage: Storage) {
    this.ctx = ctx;
    this.storage = storage;
    this.selected = params.get("assistant") ?? storage.getItem(SELECTED_KEY);
  }

  mount(root: HTMLElement): void {
    this.select = h("select", { testId: "assistant-select", attrs: { id: "assistant-select" } });
    this.select.addEventListener("change", () => this.choose(this.select.value));

    this.emptyPanel = h(
      "section",
      { className: "card notice", testId: "assist-empty" },
      h("h2", {}, "This server has no assistants"),
      h(
        "p",
        {},
        "Train one from a knowledge folder with ",
        h("code", {}, "textkit assist train --knowledge samples/assist --out models/assistant"),
        ", then start the server with ",
        h("code", {}, "textkit serve"),
        ".",
      ),
    );
    this.emptyPanel.hidden = true;

    this.conversationLabel = h("span", { className: "muted conversation-id", testId: "conversation-id" });
    this.transcript = h("ol", {
      className: "transcript",
      testId: "transcript",
      attrs: { role: "log", "aria-live": "polite", "aria-label": "Conversation" },
    });
    this.input = h("input", {
      testId: "chat-input",
      attrs: { id: "chat-input", type: "text", autocomplete: "off", placeholder: "Ask a question…" },
    });
    this.sendButton = h("button", { testId: "send", attrs: { type: "submit" } }, "Send");
    const form = h(
      "form",
      { className: "chat-form" },
      h("label", { className: "visually-hidden", attrs: { for: "chat-input" } }, "Message"),
      this.input,
      this.sendButton,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.chat = h(
      "section",
      { className: "card chat", testId: "chat", attrs: { "aria-labelledby": "chat-title" } },
      h(
        "div",
        { className: "chat-head" },
        h("h2", { attrs: { id: "chat-title" } }, "Conversation"),
        this.conversationLabel,
        h(
          "button",
          {
            className: "secondary",
            testId: "new-conversation",
            attrs: { type: "button" },
            onClick: () => this.newConversation(),
          },
          "New conversation",
        ),
      ),
      this.transcript,
      form,
    );

    this.handoverTitle = h("h2", { attrs: { id: "handovers-title", tabindex: "-1" } }, "Handovers");
    this.handoverList = h("ul", { className: "handover-list" });
    const handovers = h(
      "section",
      { className: "card handovers", testId: "handovers", attrs: { "aria-labelledby": "handovers-title" } },
      this.handoverTitle,
      h("p", { className: "muted handovers-note" }, "Conversations waiting for a person."),
      this.handoverList,
    );
    this.layout = h("div", { className: "assist" }, this.chat, handovers);
    this.layout.hidden = true;

    replaceChildren(
      root,
      h(
        "div",
        { className: "toolbar" },
        h("label", { attrs: { for: "assistant-select" } }, "Assistant"),
        this.select,
      ),
      this.emptyPanel,
      this.layout,
    );
  }

  unmount(): void {
    this.unmounted = true;
    this.epoch++;
  }

  async refresh(): Promise<void> {
    const seq = ++this.refreshes;
    let list: ModelList;
    try {
      list = await this.ctx.api.get<ModelList>("/v1/models");
    } catch (error) {
      if (seq === this.refreshes && !this.unmounted) {
        this.refreshFailed = true;
        this.ctx.report(error);
      }
      return;
    }
    if (seq !== this.refreshes || this.unmounted) return;
    // Only this refresh's own failure is cleared: a failed message stays until dismissed.
    if (this.refreshFailed) this.ctx.clearError();
    this.refreshFailed = false;
    this.showAssistants(list.models.filter((m) => m.family === ASSISTANT_FAMILY).map((m) => m.name));
    await this.loadHandovers();
  }

  private showAssistants(names: string[]): void {
    const changed = names.length !== this.assistants.length || names.some((n, i) => n !== this.assistants[i]);
    this.assistants = names;
    this.emptyPanel.hidden = names.length > 0;
    this.layout.hidden = names.length === 0;
    this.select.disabled = names.length === 0;
    if (changed) {
      replaceChildren(this.select, ...names.map((n) => h("option", { attrs: { value: n } }, n)));
    }
    const wanted =
      this.selected !== null && names.includes(this.selected) ? this.selected : (names[0] ?? null);
    // The first list (or a list without the one chosen before) picks the assistant.
    if (wanted !== this.shown) this.show(wanted);
    if (wanted !== null) this.select.value = wanted;
  }

  /** The person picked another assistant. */
  private choose(name: string): void {
    if (name === this.selected) return;
    this.show(name);
    void this.loadHandovers();
    this.input.focus();
  }

  /** Shows `name`'s conversation (the one kept for it in this tab, if any). */
  private show(name: string | null): void {
    this.epoch++;
    this.selected = name;
    this.shown = name;
    this.sending = false;
    this.setBusy(false);
    this.handoverSignature = "";
    this.openHandovers.clear();
    replaceChildren(this.transcript);
    replaceChildren(this.handoverList);
    if (name === null) {
      this.setConversation(null);
      return;
    }
    this.storage.setItem(SELECTED_KEY, name);
    history.replaceState(null, "", `#/assist?assistant=${encodeURIComponent(name)}`);
    const kept = this.storage.getItem(conversationKey(name));
    this.setConversation(kept);
    this.restoring = kept === null ? Promise.resolve() : this.restore(name, kept);
  }

  private setConversation(id: string | null): void {
    this.conversation = id;
    if (id === null) {
      delete this.chat.dataset["conversation"];
      this.conversationLabel.textContent = "new";
      this.conversationLabel.removeAttribute("title");
    } else {
      this.chat.dataset["conversation"] = id;
      this.conversationLabel.textContent = `#${id.slice(0, 8)}`;
      this.conversationLabel.title = `Conversation ${id}`;
    }
    if (this.selected !== null) {
      if (id === null) this.storage.removeItem(conversationKey(this.selected));
      else this.storage.setItem(conversationKey(this.selected), id);
    }
  }

  private newConversation(): void {
    this.epoch++;
    this.sending = false;
    this.setBusy(false);
    this.restoring = Promise.resolve();
    this.setConversation(null);
    replaceChildren(this.transcript);
    this.input.focus();
    // The "this conversation" mark moves off the old conversation's handover.
    void this.loadHandovers();
  }

  /** Rebuilds the transcript of a conversation kept from before (a reload). */
  private async restore(name: string, id: string): Promise<void> {
    const epoch = this.epoch;
    let conversation: Conversation;
    try {
      conversation = await this.ctx.api.get<Conversation>(
        `${this.base(name)}/conversations/${encodeURIComponent(id)}`,
      );
    } catch (error) {
      if (epoch !== this.epoch) return;
      // Gone (another database, or cleaned up): start afresh rather than fail every message.
      if (error instanceof ApiError && error.code === "CONVERSATION_NOT_FOUND") this.setConversation(null);
      else this.ctx.report(error);
      return;
    }
    if (epoch !== this.epoch) return;
    for (const turn of conversation.turns) {
      this.transcript.append(this.userBubble(turn.message), this.assistantBubble(fromTurn(turn)));
    }
    this.scrollToEnd();
  }

  private async send(): Promise<void> {
    const name = this.selected;
    const message = this.input.value.trim();
    if (name === null || message === "" || this.sending) return;
    this.sending = true;
    this.setBusy(true);
    const epoch = this.epoch;
    await this.restoring;
    if (epoch !== this.epoch) return;
    const bubble = this.userBubble(message);
    this.transcript.append(bubble);
    this.input.value = "";
    this.scrollToEnd();
    let reply: ChatReply;
    try {
      reply = await this.chatOnce(name, message);
    } catch (error) {
      if (epoch !== this.epoch) return;
      bubble.remove();
      // The message is not lost: it goes back into the field to send again.
      if (this.input.value === "") this.input.value = message;
      this.sending = false;
      this.setBusy(false);
      this.ctx.report(error);
      return;
    }
    if (epoch !== this.epoch) return;
    this.sending = false;
    this.setBusy(false);
    this.ctx.clearError();
    this.setConversation(reply.conversation);
    this.transcript.append(this.assistantBubble(fromChat(reply)));
    this.scrollToEnd();
    if (reply.handover) void this.loadHandovers();
  }

  /** One message; a conversation the server no longer knows is started again. */
  private async chatOnce(name: string, message: string): Promise<ChatReply> {
    const path = `${this.base(name)}/chat`;
    const conversation = this.conversation;
    if (conversation === null) return this.ctx.api.post<ChatReply>(path, { message });
    try {
      return await this.ctx.api.post<ChatReply>(path, { message, conversation });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "CONVERSATION_NOT_FOUND")) throw error;
      this.setConversation(null);
      return this.ctx.api.post<ChatReply>(path, { message });
    }
  }

  /** While a message is on its way: the field stays focused (read-only), Send waits. */
  private setBusy(busy: boolean): void {
    this.input.readOnly = busy;
    this.sendButton.disabled = busy;
    this.transcript.setAttribute("aria-busy", String(busy));
  }

  private scrollToEnd(): void {
    this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private userBubble(text: string): HTMLElement {
    return h(
      "li",
      { className: "bubble bubble-user", testId: "message", dataset: { role: "user" } },
      h("span", { className: "visually-hidden" }, "You: "),
      h("p", { className: "bubble-text" }, text),
    );
  }

  private assistantBubble(reply: ShownReply): HTMLElement {
    const facts = scoreFacts(reply);
    const why = h(
      "details",
      { className: "why", testId: "why" },
      h("summary", {}, "Why"),
      reply.why === null
        ? h(
            "p",
            { className: "muted" },
            "Restored from the conversation log, which keeps the path and the best intent only.",
          )
        : h("p", { testId: "why-text" }, reply.why),
      facts.length > 0 && h("dl", { className: "facts" }, ...facts),
    );
    const bubble = h(
      "li",
      {
        className: `bubble bubble-assistant${reply.handover ? " bubble-handover" : ""}`,
        testId: "message",
        dataset: {
          role: "assistant",
          turn: reply.turn,
          ...(reply.path === null ? {} : { path: reply.path }),
        },
      },
      h("span", { className: "visually-hidden" }, "Assistant: "),
      h("p", { className: "bubble-text", testId: "reply-text" }, reply.text),
    );
    const wrong = h(
      "button",
      {
        className: "secondary small-button",
        testId: "wrong",
        attrs: { type: "button", "aria-expanded": "false" },
      },
      "Wrong answer",
    );
    wrong.addEventListener("click", () => void this.toggleFeedback(bubble, reply.turn, wrong));
    bubble.append(
      h(
        "div",
        { className: "bubble-meta" },
        h(
          "span",
          {
            className: `badge path-badge path-${reply.path ?? "unknown"}`,
            testId: "path",
            dataset: { path: reply.path ?? "" },
          },
          pathLabel(reply),
        ),
        reply.handover &&
          reply.path !== "handover" &&
          h("span", { className: "badge path-badge path-handover" }, "handed over"),
        wrong,
      ),
      why,
    );
    return bubble;
  }

  /** Opens (or closes) the "Wrong answer" form under a reply. */
  private async toggleFeedback(bubble: HTMLElement, turn: string, button: HTMLButtonElement): Promise<void> {
    const existing = bubble.querySelector<HTMLFormElement>("form.feedback");
    if (existing !== null) {
      existing.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const name = this.selected;
    if (name === null) return;
    const epoch = this.epoch;
    button.disabled = true;
    const intents = await this.intentsOf(name);
    button.disabled = false;
    if (epoch !== this.epoch || bubble.querySelector("form.feedback") !== null) return;
    const n = ++this.uid;
    const select = h(
      "select",
      { testId: "feedback-intent", attrs: { id: `feedback-intent-${n}` } },
      h("option", { attrs: { value: "" } }, "—"),
      ...intents.map((i) => h("option", { attrs: { value: i } }, i)),
      h("option", { attrs: { value: OUT_OF_SCOPE } }, "out of scope"),
    );
    const answer = h("textarea", {
      testId: "feedback-answer",
      attrs: { id: `feedback-answer-${n}`, rows: "2" },
    });
    const submit = h("button", { testId: "feedback-send", attrs: { type: "submit" } }, "Send feedback");
    const cancel = (): void => {
      form.remove();
      button.setAttribute("aria-expanded", "false");
      button.focus();
    };
    const form = h(
      "form",
      { className: "feedback", testId: "feedback-form", attrs: { id: `feedback-${n}` } },
      h("label", { attrs: { for: `feedback-intent-${n}` } }, "The right intent"),
      select,
      h("label", { attrs: { for: `feedback-answer-${n}` } }, "Or the right answer"),
      answer,
      h(
        "div",
        { className: "feedback-actions" },
        submit,
        h("button", { className: "secondary", attrs: { type: "button" }, onClick: cancel }, "Cancel"),
      ),
    );
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") cancel();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body: FeedbackBody = { turn, verdict: "wrong" };
      if (select.value !== "") body.intent = select.value;
      if (answer.value.trim() !== "") body.answer = answer.value.trim();
      // With a key, the server records the key's name; without one, say where it came from.
      if (this.ctx.api.key === null) body.by = "dashboard";
      void this.sendFeedback(name, body, form, button, submit);
    });
    button.setAttribute("aria-controls", form.id);
    button.setAttribute("aria-expanded", "true");
    bubble.append(form);
    select.focus();
  }

  private async sendFeedback(
    name: string,
    body: FeedbackBody,
    form: HTMLFormElement,
    button: HTMLButtonElement,
    submit: HTMLButtonElement,
  ): Promise<void> {
    submit.disabled = true;
    try {
      await this.ctx.api.post(`${this.base(name)}/feedback`, body);
    } catch (error) {
      submit.disabled = false;
      this.ctx.report(error);
      return;
    }
    const done = h(
      "p",
      { className: "feedback-done", testId: "feedback-done", attrs: { role: "status", tabindex: "-1" } },
      "Thanks, noted",
    );
    form.replaceWith(done);
    button.hidden = true;
    done.focus();
  }

  /** The assistant's intent ids (its model's labels), fetched once. */
  private intentsOf(name: string): Promise<string[]> {
    let intents = this.intents.get(name);
    if (intents === undefined) {
      intents = this.ctx.api
        .get<ModelDetails>(`/v1/models/${encodeURIComponent(name)}`)
        .then((d) => d.manifest?.labels ?? [])
        .catch((error: unknown) => {
          this.intents.delete(name);
          this.ctx.report(error);
          return [];
        });
      this.intents.set(name, intents);
    }
    return intents;
  }

  private async loadHandovers(): Promise<void> {
    const name = this.selected;
    if (name === null) return;
    const seq = ++this.handoverLoads;
    let handovers: Handover[];
    try {
      ({ handovers } = await this.ctx.api.get<{ handovers: Handover[] }>(`${this.base(name)}/handovers`, {
        status: "open",
      }));
    } catch (error) {
      if (seq === this.handoverLoads && !this.unmounted) this.ctx.report(error);
      return;
    }
    if (seq !== this.handoverLoads || this.unmounted || name !== this.selected) return;
    this.renderHandovers(handovers);
  }

  private renderHandovers(handovers: Handover[]): void {
    this.handoverTitle.textContent = handovers.length === 0 ? "Handovers" : `Handovers (${handovers.length})`;
    // Redrawn only when something changed, so that focus and open details stay put.
    const signature = JSON.stringify([this.conversation, handovers.map((x) => [x.id, x.turns.length])]);
    if (signature === this.handoverSignature) return;
    this.handoverSignature = signature;
    if (handovers.length === 0) {
      replaceChildren(this.handoverList, h("li", { className: "empty" }, "No open handovers."));
      return;
    }
    replaceChildren(this.handoverList, ...handovers.map((x) => this.handoverItem(x)));
  }

  private handoverItem(handover: Handover): HTMLElement {
    const close = h(
      "button",
      {
        className: "small-button",
        testId: "close-handover",
        attrs: { type: "button", "aria-label": `Close the handover of ${formatTime(handover.at)}` },
      },
      "Close",
    );
    close.addEventListener("click", () => void this.closeHandover(handover.id, close));
    const turns = h(
      "details",
      { className: "handover-turns", testId: "handover-turns" },
      h(
        "summary",
        {},
        `Conversation so far (${handover.turns.length} turn${handover.turns.length === 1 ? "" : "s"})`,
      ),
      h(
        "ol",
        { className: "mini-transcript" },
        ...handover.turns.flatMap((t) => [
          h("li", { className: "mini-user" }, h("strong", {}, "Customer: "), t.message),
          h("li", { className: "mini-assistant" }, h("strong", {}, "Assistant: "), t.reply),
        ]),
      ),
    );
    turns.open = this.openHandovers.has(handover.id);
    turns.addEventListener("toggle", () => {
      if (turns.open) this.openHandovers.add(handover.id);
      else this.openHandovers.delete(handover.id);
    });
    return h(
      "li",
      {
        className: "handover",
        testId: "handover",
        dataset: { id: handover.id, conversation: handover.conversationId },
      },
      h(
        "div",
        { className: "handover-head" },
        h("span", { className: "nowrap" }, formatTime(handover.at)),
        handover.conversationId === this.conversation &&
          h("span", { className: "chip", testId: "this-conversation" }, "this conversation"),
        close,
      ),
      h("p", { className: "handover-reason", testId: "handover-reason" }, handover.reason),
      turns,
    );
  }

  private async closeHandover(id: string, button: HTMLButtonElement): Promise<void> {
    const name = this.selected;
    if (name === null) return;
    button.disabled = true;
    try {
      const body = this.ctx.api.key === null ? { by: "dashboard" } : {};
      await this.ctx.api.post(`${this.base(name)}/handovers/${encodeURIComponent(id)}/close`, body);
    } catch (error) {
      button.disabled = false;
      this.ctx.report(error);
      return;
    }
    this.openHandovers.delete(id);
    button.closest("li")?.remove();
    this.handoverTitle.focus();
    this.handoverSignature = "";
    await this.loadHandovers();
  }

  private base(name: string): string {
    return `/v1/models/${encodeURIComponent(name)}`;
  }
}
