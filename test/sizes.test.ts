/**
 * Holds src/ to the sizes of docs/design.md (issue 16): a file holds one idea, in at most
 * 500 lines; a function does one thing, in at most 80 lines. Longer ones are
 * listed below, each with its reason: "kept:" says why the length is right, "to cut:" names
 * the work left. The test fails on an oversize file or function not listed, and on a listed
 * one that is no longer oversize, so the lists only shrink. To allow one, add a line with
 * its key (as the failure prints it) and the reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { lineCount, type Oversize, oversizeFiles, oversizeFunctions } from "./support/sizes.ts";
import { readSourceTree } from "./support/source-files.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

/** Files of src/ (tests included) allowed over MAX_FILE_LINES, with the reason. */
const LONG_FILES: ReadonlyMap<string, string> = new Map([]);

/** Functions of src/ (tests left out: a `describe` body is a list) allowed over MAX_FUNCTION_LINES. */
const LONG_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  [
    "src/server/routes/assist-conversations.ts: assistConversationRoutes",
    "kept: one resource's routes, each a declaration with its OpenAPI schema and a short handler",
  ],
  [
    "src/server/routes/assist-knowledge.ts: assistKnowledgeRoutes",
    "kept: one resource's routes, each a declaration with its OpenAPI schema and a short handler",
  ],
  [
    "src/server/routes/monitor-insights.ts: monitorInsightRoutes",
    "kept: one resource's routes, each a declaration with its OpenAPI schema and a short handler",
  ],
]);

/** What is oversize but not allowed, and what is allowed but no longer oversize. */
function compare(found: readonly Oversize[], allowed: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { key, lines } of found) {
    seen.add(key);
    if (!allowed.has(key)) problems.push(`${key} has ${lines} lines`);
  }
  for (const key of allowed.keys())
    if (!seen.has(key)) problems.push(`${key} is listed but no longer oversize: remove it`);
  return problems;
}

describe("sizes checker", () => {
  it("counts lines as an editor shows them", () => {
    assert.equal(lineCount(""), 0);
    assert.equal(lineCount("a"), 1);
    assert.equal(lineCount("a\nb\n"), 2);
    assert.equal(lineCount("a\n\nb"), 3);
  });

  it("finds long files and long functions by name, methods and arrows included", () => {
    const body = (n: number): string => "  x++;\n".repeat(n);
    const text =
      `export function long(): void {\n${body(5)}}\n` +
      `class Box {\n  method(): void {\n${body(5)}  }\n}\n` +
      `const arrow = (): void => {\n${body(5)}};\n` +
      `run(() => {\n${body(5)}});\n` +
      `function short(): void {\n  x++;\n}\n` +
      "const braces = `}}} {{{`;\n";
    const files = new Map([["src/a.ts", text]]);
    assert.deepEqual(
      oversizeFunctions(files, 4).map((o) => `${o.key} ${o.lines}`),
      ["src/a.ts: long 7", "src/a.ts: Box.method 7", "src/a.ts: arrow 7", "src/a.ts: (callback of run) 7"],
    );
    assert.deepEqual(oversizeFiles(files, 20), [{ key: "src/a.ts", lines: 34 }]);
    assert.deepEqual(oversizeFiles(files, 34), []);
  });

  it("reports what is not allowed and what is allowed but fixed", () => {
    const found = [{ key: "src/a.ts: f", lines: 90 }];
    assert.deepEqual(compare(found, new Map([["src/a.ts: f", "kept: a table"]])), []);
    assert.deepEqual(compare(found, new Map()), ["src/a.ts: f has 90 lines"]);
    assert.deepEqual(compare([], new Map([["src/a.ts: f", "kept"]])), [
      "src/a.ts: f is listed but no longer oversize: remove it",
    ]);
  });
});

describe("src/ sizes", () => {
  const all = readSourceTree(ROOT, "src");
  const code = new Map([...all].filter(([path]) => !path.endsWith(".test.ts")));

  it(`has no file over ${MAX_FILE_LINES} lines that is not listed with a reason`, () => {
    assert.deepEqual(compare(oversizeFiles(all, MAX_FILE_LINES), LONG_FILES), []);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines that is not listed with a reason`, () => {
    assert.deepEqual(compare(oversizeFunctions(code, MAX_FUNCTION_LINES), LONG_FUNCTIONS), []);
  });
});
