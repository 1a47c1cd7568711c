/**
 * The versions table of the Models page (readable dates, the run that made each version,
 * which one is active and whether it is pinned) and the dialog that confirms an activation
 * or a rollback before POST /v1/admin/models/{name}/activate is sent.
 */
import { h, replaceChildren } from "./dom.ts";
import { formatTime } from "./format.ts";
import type { ModelSummary, ModelVersion } from "./types.ts";

/** What a click in the versions table asks for. */
export interface VersionActions {
  /** Show this version's run, report and curves. */
  select(version: string): void;
  /** Make `version` active ("latest": follow the newest version again), once confirmed. */
  activate(version: string, verb: string): void;
}

/** The verb of a version's button: older than the active one is a rollback. */
export function activationVerb(model: ModelSummary, version: ModelVersion): string | null {
  if (version.state === "failed" || model.layout === "single") return null;
  if (version.version === model.activeVersion) return null;
  const index = model.versions.findIndex((v) => v.version === version.version);
  const active = model.versions.findIndex((v) => v.version === model.activeVersion);
  return active >= 0 && index < active ? "Roll back" : "Activate";
}

function stateCell(model: ModelSummary, v: ModelVersion): HTMLElement {
  const badge =
    v.state === "active"
      ? h("span", { className: "badge badge-positive" }, "active")
      : v.state === "failed"
        ? h("span", { className: "badge badge-negative", attrs: { title: v.error?.message ?? "" } }, "failed")
        : h("span", { className: "badge badge-none" }, "available");
  const pinned = model.pinnedVersion === v.version;
  return h("td", {}, badge, pinned && h("span", { className: "muted", testId: "version-pinned" }, " pinned"));
}

/**
 * The rows of the versions table of `model`, newest first. `runs` maps a version's digest to
 * the id of the run that made it (null: none recorded; missing: not looked up yet).
 */
export function versionRows(
  model: ModelSummary,
  runs: ReadonlyMap<string, string | null>,
  selected: string | null,
  actions: VersionActions,
): HTMLElement[] {
  return [...model.versions].reverse().map((v) => {
    const runId = v.digest === null ? null : (runs.get(v.digest) ?? null);
    const verb = activationVerb(model, v);
    const button =
      verb === null
        ? model.pinnedVersion === v.version
          ? h(
              "button",
              {
                testId: "version-follow-latest",
                attrs: { type: "button", title: "Unpin: serve the newest version that loads" },
                onClick: (event) => {
                  event.stopPropagation();
                  actions.activate("latest", "Follow the latest");
                },
              },
              "Follow latest",
            )
          : null
        : h(
            "button",
            {
              testId: "version-activate",
              dataset: { version: v.version },
              attrs: { type: "button" },
              onClick: (event) => {
                event.stopPropagation();
                actions.activate(v.version, verb);
              },
            },
            verb,
          );
    return h(
      "tr",
      {
        className: v.version === selected ? "model-row selected" : "model-row",
        testId: "version",
        dataset: { version: v.version, state: v.state },
        attrs: { tabindex: "0", "aria-selected": String(v.version === selected) },
        onClick: () => actions.select(v.version),
      },
      h("td", {}, h("strong", {}, v.version)),
      h(
        "td",
        { className: "nowrap", testId: "version-created", attrs: { title: v.createdAt ?? "" } },
        formatTime(v.createdAt),
      ),
      stateCell(model, v),
      h(
        "td",
        {},
        runId === null
          ? "—"
          : h(
              "a",
              { attrs: { href: `#/runs?run=${encodeURIComponent(runId)}` }, testId: "version-run-id" },
              runId.slice(0, 8),
            ),
      ),
      h("td", {}, button),
    );
  });
}

/**
 * A modal dialog that asks before a version is made active.
 *
 * @example
 * const dialog = new ConfirmDialog();
 * document.body.append(dialog.element);
 * if (await dialog.ask("Roll back intents to 1?", "Requests are answered by version 1 from now on.")) ...
 */
export class ConfirmDialog {
  /** The <dialog>, to put in the page. */
  readonly element: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly text: HTMLElement;
  private readonly confirm: HTMLButtonElement;
  private answer: ((yes: boolean) => void) | null = null;

  constructor() {
    this.title = h("h3", {}, "");
    this.text = h("p", {});
    this.confirm = h("button", { testId: "confirm-yes", attrs: { type: "button" } }, "Confirm");
    const cancel = h("button", { testId: "confirm-no", attrs: { type: "button" } }, "Cancel");
    this.element = h(
      "dialog",
      { className: "confirm", testId: "confirm-dialog", attrs: { "aria-modal": "true" } },
      this.title,
      this.text,
      h("div", { className: "dialog-buttons" }, cancel, this.confirm),
    );
    this.confirm.addEventListener("click", () => this.close(true));
    cancel.addEventListener("click", () => this.close(false));
    // Escape closes a modal dialog: that is a "no".
    this.element.addEventListener("cancel", () => this.settle(false));
  }

  /** Opens the dialog; resolves true when the person confirms. */
  ask(title: string, text: string, verb: string): Promise<boolean> {
    this.settle(false);
    replaceChildren(this.title, title);
    replaceChildren(this.text, text);
    this.confirm.textContent = verb;
    this.element.showModal();
    return new Promise((resolve) => {
      this.answer = resolve;
    });
  }

  private close(yes: boolean): void {
    this.element.close();
    this.settle(yes);
  }

  private settle(yes: boolean): void {
    const answer = this.answer;
    this.answer = null;
    answer?.(yes);
  }
}
