/**
 * Measures the size of source files and of the functions in them, for `test/sizes.test.ts`
 * (issue 16: a file holds one idea, under about 500 lines; a function under about 80).
 * Functions are found with the TypeScript compiler's parser, so a template literal or a
 * comment holding braces cannot fool the count.
 */
import ts from "typescript";

/** A file or function longer than its limit. */
export interface Oversize {
  /** `path` for a file; `path: name` for a function (see `functionName`). */
  key: string;
  lines: number;
}

/** The lines a text spans; a final line break does not start another line. */
export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

/** Files of `files` (path to text) over `maxLines` lines. */
export function oversizeFiles(files: ReadonlyMap<string, string>, maxLines: number): Oversize[] {
  const out: Oversize[] = [];
  for (const [path, text] of files) {
    const lines = lineCount(text);
    if (lines > maxLines) out.push({ key: path, lines });
  }
  return out;
}

/**
 * Functions (declarations, methods, accessors, constructors, arrow functions and function
 * expressions) longer than `maxLines`, counted from the line of their first token to the
 * line of their last. A nested function counts on its own and inside its parent.
 */
export function oversizeFunctions(files: ReadonlyMap<string, string>, maxLines: number): Oversize[] {
  const out: Oversize[] = [];
  for (const [path, text] of files) {
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > maxLines) out.push({ key: `${path}: ${functionName(node)}`, lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

/**
 * A name a person can find the function by: its own name, `Class.method`, the variable or
 * property an arrow function is assigned to, or `(callback of name)` for an argument.
 */
export function functionName(node: ts.Node): string {
  const own = nameOf(node);
  const parent = node.parent;
  if (own !== undefined) {
    const owner = parent !== undefined && ts.isClassLike(parent) ? nameOf(parent) : undefined;
    return owner === undefined ? own : `${owner}.${own}`;
  }
  if (parent === undefined) return "(anonymous)";
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return nameOf(parent) ?? "(anonymous)";
  }
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText()})`;
  return `(anonymous in ${functionNameAbove(parent)})`;
}

function functionNameAbove(node: ts.Node): string {
  for (let at: ts.Node | undefined = node; at !== undefined; at = at.parent) {
    if (ts.isFunctionLike(at)) return functionName(at);
  }
  return "the file";
}

function nameOf(node: ts.Node): string | undefined {
  if (
    (ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isGetAccessor(node) ||
      ts.isSetAccessor(node) ||
      ts.isClassDeclaration(node) ||
      ts.isVariableDeclaration(node) ||
      ts.isPropertyAssignment(node) ||
      ts.isPropertyDeclaration(node) ||
      ts.isFunctionExpression(node)) &&
    node.name !== undefined
  ) {
    return node.name.getText();
  }
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return undefined;
}
