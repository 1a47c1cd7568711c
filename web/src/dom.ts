/**
 * A small element builder. Text always goes in as text nodes: documents, alert messages and
 * model details come from the outside world, so nothing here ever parses a string as HTML.
 */

type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** Written as data-testid, so that the browser test finds the element. */
  testId?: string;
  /** Other attributes, written with setAttribute (never "style": the CSP forbids inline styles). */
  attrs?: Record<string, string>;
  dataset?: Record<string, string>;
  onClick?: (event: MouseEvent) => void;
}

/**
 * Creates an element with its children; strings and numbers become text nodes.
 *
 * @example
 * document.body.append(h("p", { className: "note" }, "Hello ", h("strong", {}, "world")));
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  // Widened so that the click listener's MouseEvent type resolves for every tag.
  const base: HTMLElement = el;
  if (props.className !== undefined) el.className = props.className;
  if (props.testId !== undefined) el.dataset["testid"] = props.testId;
  for (const [name, value] of Object.entries(props.attrs ?? {})) el.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) el.dataset[name] = value;
  if (props.onClick !== undefined) base.addEventListener("click", props.onClick);
  append(el, children);
  return el;
}

/** Appends children, skipping null, undefined and false (so that `cond && h(...)` reads well). */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
