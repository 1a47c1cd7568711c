/**
 * Reading one YAML or JSON knowledge file, with its safety checks (size, UTF-8, nesting
 * depth, aliases), into a value whose mistakes can be reported by file and line.
 */
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { Composer, type CST, type Document, isAlias, LineCounter, type Node, Parser, visit } from "yaml";
import { TextkitError } from "../../core/index.ts";

export const MAX_KNOWLEDGE_DEPTH = 64;

/**
 * Aliases a knowledge file may hold, and expansions they may make: a few are fine, an alias
 * bomb is not. The library finds each alias's anchor by a walk of the whole document, so the
 * number of aliases also bounds the time.
 */
const MAX_ALIASES = 100;
const MAX_ALIAS_COUNT = 100;

/** The offset of the first collection in `token` nested deeper than `max`, or -1. Walks without recursion. */
function tooDeepAt(token: CST.Token, max: number): number {
  const stack: [CST.Token, number][] = [[token, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node.type === "document") {
      if (node.value !== undefined) stack.push([node.value, depth]);
    } else if (node.type === "block-map" || node.type === "block-seq" || node.type === "flow-collection") {
      if (depth + 1 > max) return node.offset;
      // Pushed last to first, so that the walk goes in document order and names the first place.
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i]!;
        if (item.value !== undefined) stack.push([item.value, depth + 1]);
        if (item.key !== undefined && item.key !== null) stack.push([item.key, depth + 1]);
      }
    }
  }
  return -1;
}

/**
 * Largest YAML or JSON knowledge file read, 4 MiB: hand-written intents and FAQs are far
 * smaller, and the YAML library takes about 3 microseconds a line (a file of 50 MB of
 * blank lines took minutes), so the limit bounds the time. Long FAQ lists go in faq.csv.
 */
export const MAX_KNOWLEDGE_FILE_BYTES = 4 * 1024 * 1024;

/** The text of a knowledge file, which must be UTF-8; DATA_FILE_NOT_FOUND or DATA_INVALID_UTF8 naming the line. */
function readSourceText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    const code = cause instanceof Error && "code" in cause ? String(cause.code) : String(cause);
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${path} cannot be read (${code})`, { file: path, cause });
  }
  if (bytes.length > MAX_KNOWLEDGE_FILE_BYTES) {
    throw new TextkitError(
      "KNOWLEDGE_INVALID",
      `${path} is ${bytes.length} bytes, more than the ${MAX_KNOWLEDGE_FILE_BYTES / (1024 * 1024)} MiB a YAML or JSON knowledge file may have; put long FAQ lists in faq.csv`,
      { file: path },
    );
  }
  if (isUtf8(bytes)) return bytes.toString("utf8");
  let line = 1;
  let start = 0;
  for (;;) {
    const newline = bytes.indexOf(10, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end)) || newline === -1) break;
    start = end + 1;
    line++;
  }
  throw new TextkitError(
    "DATA_INVALID_UTF8",
    `${path}:${line}: line ${line} is not valid UTF-8; convert the file to UTF-8`,
    { file: path, line },
  );
}

/** One YAML or JSON file with line numbers for its nodes. */
export class SourceFile {
  readonly lines = new LineCounter();
  readonly root: unknown;
  private readonly doc: Document.Parsed;

  /** `text` is the file's content when it does not come from disk (an admin request's body). */
  constructor(
    readonly path: string,
    text: string = readSourceText(path),
  ) {
    this.doc = this.parse(text);
    const first = this.doc.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0]?.line ?? this.lines.linePos(first.pos[0]).line;
      throw new TextkitError("KNOWLEDGE_INVALID", `${path}:${line}: ${first.message.split("\n")[0]}`, {
        file: path,
        line,
      });
    }
    this.root = this.toJS();
  }

  /**
   * Parses with the YAML library's own steps (what parseDocument does), so that the
   * nesting is checked on the syntax tree, which the library builds without recursion,
   * before the steps that recurse.
   */
  private parse(text: string): Document.Parsed {
    const tokens = Array.from(new Parser(this.lines.addNewLine).parse(text));
    for (const token of tokens) {
      const at = tooDeepAt(token, MAX_KNOWLEDGE_DEPTH);
      if (at !== -1) {
        const line = this.lines.linePos(at).line;
        throw new TextkitError(
          "KNOWLEDGE_INVALID",
          `${this.path}:${line}: lists and mappings are nested more than ${MAX_KNOWLEDGE_DEPTH} deep here; a knowledge file needs a handful of levels`,
          { file: this.path, line },
        );
      }
    }
    // logLevel "error": a mapping key that is a list is refused by the checks that follow;
    // the library would also print a warning of its own to standard error.
    const composer = new Composer({ uniqueKeys: true, prettyErrors: false, logLevel: "error" });
    const docs = Array.from(composer.compose(tokens, true, text.length));
    const doc = docs[0]!;
    if (docs.length > 1) {
      const line = this.lines.linePos(docs[1]!.range[0]).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        `${this.path}:${line}: a second YAML document starts here; a knowledge file holds one`,
        { file: this.path, line },
      );
    }
    return doc;
  }

  /** The document as plain values, after its aliases are checked. */
  private toJS(): unknown {
    // In document order, as the library resolves them: an alias takes the last anchor before it.
    const anchors = new Set<string>();
    let aliases = 0;
    let firstAlias = -1;
    let unresolved: { source: string; offset: number } | null = null;
    visit(this.doc, {
      Node: (_, node) => {
        if (isAlias(node)) {
          const offset = node.range?.[0] ?? 0;
          if (firstAlias === -1) firstAlias = offset;
          aliases++;
          if (!anchors.has(node.source) || aliases > MAX_ALIASES) {
            unresolved = { source: node.source, offset };
            return visit.BREAK;
          }
        } else if (node.anchor !== undefined) {
          anchors.add(node.anchor);
        }
        return undefined;
      },
    });
    if (unresolved !== null) {
      const { source, offset } = unresolved;
      const line = this.lines.linePos(offset).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        aliases > MAX_ALIASES
          ? `${this.path}:${line}: more than ${MAX_ALIASES} aliases (*name); write the values out instead`
          : `${this.path}:${line}: the alias *${source} names no anchor &${source} set before it`,
        { file: this.path, line },
      );
    }
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      // The library throws a ReferenceError when aliases expand too far (an alias bomb).
      const line = firstAlias === -1 ? 1 : this.lines.linePos(firstAlias).line;
      throw new TextkitError(
        "KNOWLEDGE_INVALID",
        `${this.path}:${line}: the aliases (*name) from here on expand to too many values; write the values out instead`,
        { file: this.path, line, cause },
      );
    }
  }

  /** The line of the node at `path` (keys and indices), or of its nearest ancestor. */
  line(path: readonly (string | number)[]): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node !== undefined && node !== null && typeof node === "object" && "range" in node && node.range) {
        return this.lines.linePos(node.range[0]).line;
      }
    }
    return 1;
  }

  error(path: readonly (string | number)[], message: string): TextkitError {
    const line = this.line(path);
    const where =
      path.length === 0
        ? ""
        : `${path
            .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
            .join("")
            .slice(1)}: `;
    return new TextkitError("KNOWLEDGE_INVALID", `${this.path}:${line}: ${where}${message}`, {
      file: this.path,
      line,
      details: { path: path.join(".") },
    });
  }
}
