/**
 * The Models page's "try it" box: a text goes to POST /v1/models/{name}/predict and the answer
 * is drawn for what the model is: top-k bars for a classifier, the entities marked inline in
 * the text for a tagger, the value for a regressor, the JSON answer for any other family.
 */
import { ApiError } from "./api.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatShare } from "./format.ts";
import type { PageContext } from "./page.ts";
import type { PredictAnswer, TaggedEntity } from "./types.ts";

/** Classes shown as bars: enough to see the runners-up, few enough to read. */
const TOP_K = 5;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function classifierAnswer(value: unknown): { labels: string[]; scores: number[] } | null {
  if (!isObject(value) || !Array.isArray(value["labels"]) || !Array.isArray(value["scores"])) return null;
  const labels = value["labels"].filter((l): l is string => typeof l === "string");
  const scores = value["scores"].filter((s): s is number => typeof s === "number");
  return labels.length === scores.length ? { labels, scores } : null;
}

function taggerAnswer(value: unknown): TaggedEntity[] | null {
  if (!isObject(value) || !Array.isArray(value["entities"])) return null;
  const out: TaggedEntity[] = [];
  for (const e of value["entities"] as unknown[]) {
    if (!isObject(e)) return null;
    const { text, label, start, end, score } = e;
    if (typeof label !== "string" || typeof start !== "number" || typeof end !== "number") return null;
    out.push({
      text: typeof text === "string" ? text : "",
      label,
      start,
      end,
      score: typeof score === "number" ? score : null,
    });
  }
  return out;
}

/** The text with each entity in a <mark> and its label after it; overlapping spans are skipped. */
export function highlightEntities(text: string, entities: readonly TaggedEntity[]): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at || e.end > text.length || e.end <= e.start) continue;
    if (e.start > at) nodes.push(document.createTextNode(text.slice(at, e.start)));
    const title = e.score === null ? e.label : `${e.label} ${formatShare(e.score)}`;
    nodes.push(
      h(
        "mark",
        { className: "entity", testId: "try-entity", dataset: { label: e.label }, attrs: { title } },
        text.slice(e.start, e.end),
        h("span", { className: "entity-label" }, e.label),
      ),
    );
    at = e.end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/**
 * The "try it" box of one model.
 *
 * @example
 * const box = new TryItBox(context, "intents", "classifier");
 * card.append(box.element);
 */
export class TryItBox {
  /** The box, to put in the page. */
  readonly element: HTMLElement;
  private readonly ctx: PageContext;
  private readonly model: string;
  private readonly family: string | null;
  private readonly input: HTMLTextAreaElement;
  private readonly answer: HTMLElement;
  private readonly button: HTMLButtonElement;

  constructor(ctx: PageContext, model: string, family: string | null) {
    this.ctx = ctx;
    this.model = model;
    this.family = family;
    const rows = family === "regressor";
    this.input = h("textarea", {
      testId: "try-input",
      attrs: {
        rows: "3",
        "aria-label": `Input for ${model}`,
        placeholder: rows ? '{"column": value, ...}' : "Type a text to send to the model",
      },
    });
    this.button = h("button", { testId: "try-send", attrs: { type: "submit" } }, "Predict");
    this.answer = h("div", {
      className: "try-answer",
      testId: "try-answer",
      attrs: { "aria-live": "polite" },
    });
    const form = h(
      "form",
      { className: "try-form" },
      h("label", { className: "field" }, rows ? "A row of values (JSON)" : "Text", this.input),
      this.button,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.element = h(
      "section",
      { className: "card try-it", testId: "try-it" },
      h("h3", {}, "Try it"),
      form,
      this.answer,
    );
  }

  private body(text: string): Record<string, unknown> | null {
    if (this.family !== "regressor") return { text, k: TOP_K };
    try {
      const row: unknown = JSON.parse(text);
      if (isObject(row)) return { inputs: [row] };
    } catch {
      // Said below, beside the box.
    }
    replaceChildren(
      this.answer,
      h("p", { className: "error-text" }, 'A regressor takes a row of values as JSON, e.g. {"area": 70}.'),
    );
    return null;
  }

  private async send(): Promise<void> {
    const text = this.input.value;
    if (text.trim() === "") {
      replaceChildren(this.answer, h("p", { className: "error-text" }, "Type something to send first."));
      return;
    }
    const body = this.body(text);
    if (body === null) return;
    this.button.disabled = true;
    try {
      const res = await this.ctx.api.post<PredictAnswer>(
        `/v1/models/${encodeURIComponent(this.model)}/predict`,
        body,
      );
      this.show(text, res);
    } catch (error) {
      // A refused input is this box's business; a lost key or server goes to the banner.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 401) {
        replaceChildren(this.answer, h("p", { className: "error-text" }, error.message));
      } else {
        this.ctx.report(error);
      }
    } finally {
      this.button.disabled = false;
    }
  }

  private show(text: string, res: PredictAnswer): void {
    const first = res.predictions[0];
    const by = h("p", { className: "muted", testId: "try-version" }, `Answered by version ${res.version}`);
    const classes = classifierAnswer(first);
    if (classes !== null) {
      const rows = classes.labels.slice(0, TOP_K).map((label, i) => {
        const score = classes.scores[i] ?? 0;
        return h(
          "li",
          { testId: "try-bar", dataset: { label } },
          h("span", { className: "bar-label" }, label),
          h("meter", { attrs: { min: "0", max: "1", value: String(score), "aria-label": label } }),
          h("span", { className: "num" }, formatShare(score)),
        );
      });
      replaceChildren(this.answer, h("ol", { className: "try-bars" }, ...rows), by);
      return;
    }
    const entities = taggerAnswer(first);
    if (entities !== null) {
      replaceChildren(
        this.answer,
        h("p", { className: "document-text", testId: "try-tagged" }, ...highlightEntities(text, entities)),
        entities.length === 0 ? h("p", { className: "muted" }, "No entities found.") : null,
        by,
      );
      return;
    }
    if (isObject(first) && typeof first["value"] === "number") {
      replaceChildren(
        this.answer,
        h("p", { className: "try-value", testId: "try-value" }, String(first["value"])),
        by,
      );
      return;
    }
    // textContent: an answer is shown as text only.
    replaceChildren(this.answer, h("pre", { className: "json" }, JSON.stringify(first ?? null, null, 2)), by);
  }
}
