/**
 * The line of a key in a JSON text, so that a mistake in the monitor configuration names
 * the line to edit as well as the key path. The text has been parsed already, so it is valid
 * JSON; this only walks it, keeping the offset where each value starts.
 */

/** Offset just past the JSON value (string, number, literal, object or list) that starts at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    return j + 1;
  }
  if (c === "{" || c === "[") {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const d = text[j];
      if (d === '"') {
        j = skipValue(text, j);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      if (d === "}" || d === "]") depth--;
      j++;
      if (depth === 0) return j;
    }
    return j;
  }
  let j = i;
  while (j < text.length && !/[\s,\]}]/.test(text[j] ?? "")) j++;
  return j;
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && /[\s,:]/.test(text[j] ?? "")) j++;
  return j;
}

/** Offset of the value at `key` (a member name or a list position) inside the value starting at `i`, or -1. */
function child(text: string, i: number, key: string | number): number {
  const open = text[i];
  let j = skipSpace(text, i + 1);
  let index = 0;
  while (j < text.length && text[j] !== "}" && text[j] !== "]") {
    if (open === "{") {
      const end = skipValue(text, j);
      const name: unknown = JSON.parse(text.slice(j, end));
      j = skipSpace(text, end);
      if (name === String(key)) return j;
    } else if (index === key) {
      return j;
    }
    j = skipSpace(text, skipValue(text, j));
    index++;
  }
  return -1;
}

/**
 * The 1-based line where the value at `path` starts in the JSON `text`, or where the
 * nearest enclosing value found starts (a missing key is reported on its object's line).
 *
 * @example
 * lineOfPath('{\n  "rules": [\n    { "id": 1 }\n  ]\n}', ["rules", 0, "id"]); // 3
 */
export function lineOfPath(text: string, path: readonly (string | number)[]): number {
  let at = skipSpace(text, 0);
  for (const key of path) {
    if (text[at] !== "{" && text[at] !== "[") break;
    const next = child(text, at, key);
    if (next === -1) break;
    at = next;
  }
  let line = 1;
  for (let k = 0; k < at; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
