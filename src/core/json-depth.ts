/**
 * Depth of nesting in parsed JSON. JSON.parse takes any depth, but code that walks a value
 * recursively (JSON.stringify, canonical forms, String() of an array) overflows the stack on
 * one nested thousands deep, so readers refuse such values first (issue 15).
 */

/** Whether `value` nests arrays and objects more than `max` deep. Walks without recursion. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
