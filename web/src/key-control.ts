import type { ApiClient } from "./api.ts";
import { h } from "./dom.ts";

/**
 * The "API key" control of the top bar. It stays a small button until a call answers 401
 * (or the person opens it), then offers a field to paste a key into.
 *
 * @example
 * const keys = new KeyControl(api, () => void refresh());
 * topBar.append(keys.element);
 */
export class KeyControl {
  readonly element: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly note: HTMLElement;
  private readonly api: ApiClient;
  private readonly onChange: () => void;
  private prompted = false;

  constructor(api: ApiClient, onChange: () => void) {
    this.api = api;
    this.onChange = onChange;
    this.toggle = h("button", {
      className: "key-toggle",
      testId: "key-toggle",
      attrs: { type: "button", "aria-expanded": "false", "aria-controls": "key-form" },
      onClick: () => this.setOpen(this.form.hidden),
    });
    this.input = h("input", {
      testId: "key-input",
      attrs: {
        id: "key-input",
        type: "password",
        autocomplete: "off",
        spellcheck: "false",
        placeholder: "tk_…",
      },
    });
    this.note = h("p", { className: "key-note", testId: "key-note", attrs: { "aria-live": "polite" } });
    this.form = h(
      "form",
      { className: "key-form", attrs: { id: "key-form" } },
      this.note,
      h("label", { attrs: { for: "key-input" } }, "API key"),
      this.input,
      h("button", { testId: "key-save", attrs: { type: "submit" } }, "Use key"),
      h(
        "button",
        { className: "secondary", attrs: { type: "button" }, onClick: () => this.save(null) },
        "Forget",
      ),
    );
    this.form.hidden = true;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save(this.input.value);
    });
    this.element = h("div", { className: "key-control" }, this.toggle, this.form);
    this.updateToggle();
  }

  /**
   * Opens the field with why a key is needed (the server's message for the 401). Only the
   * first time after a change of key: the refresh every 10 s must not reopen a field the
   * person has closed, nor take the focus away again.
   */
  requireKey(message: string): void {
    this.note.textContent =
      this.api.key === null
        ? "This server needs an API key (one made with `textkit keys create`)."
        : `The stored key was refused: ${message}.`;
    if (this.prompted) return;
    this.prompted = true;
    this.setOpen(true);
    this.input.focus();
  }

  private save(key: string | null): void {
    this.api.setKey(key);
    this.input.value = "";
    this.note.textContent = "";
    this.prompted = false;
    this.setOpen(false);
    this.updateToggle();
    this.onChange();
  }

  private setOpen(open: boolean): void {
    this.form.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
  }

  private updateToggle(): void {
    this.toggle.textContent = this.api.key === null ? "API key" : "API key ✓";
    this.toggle.title = this.api.key === null ? "No API key stored" : "An API key is stored for this tab";
  }
}
