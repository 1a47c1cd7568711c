/**
 * A YAML or JSON file read as nodes that know their line, so that every check of the
 * radar's dictionary and of a skill profile can name the file and line it applies to.
 * JSON is read by the same parser (JSON is YAML), so both formats get lines for free.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { type ErrorCode, TextkitError } from "../../core/index.ts";

/** A parsed node and where it is. */
export class Located {
  constructor(
    readonly source: YamlSource,
    readonly node: Node | null,
    readonly line: number,
    readonly path: string,
  ) {}

  error(message: string): TextkitError {
    return this.source.error(this.line, this.path === "" ? message : `${this.path}: ${message}`);
  }

  isMissing(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** The value under `key` of a mapping (a missing key is a node whose `isMissing()` is true). */
  get(key: string): Located {
    const map = this.node;
    if (!isMap(map)) throw this.error("must be a mapping (key: value)");
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === key) {
        const value = pair.value as Node | null;
        const at = value?.range?.[0] ?? (pair.key as Node).range?.[0] ?? 0;
        return new Located(
          this.source,
          value,
          this.source.lineOf(at),
          this.path === "" ? key : `${this.path}.${key}`,
        );
      }
    }
    return new Located(this.source, null, this.line, this.path === "" ? key : `${this.path}.${key}`);
  }

  /** The keys of a mapping, each with its line. */
  keys(): { key: string; line: number }[] {
    if (!isMap(this.node)) throw this.error("must be a mapping (key: value)");
    return this.node.items.map((pair) => {
      const key = pair.key as Node;
      return { key: isScalar(key) ? String(key.value) : "", line: this.source.lineOf(key.range?.[0] ?? 0) };
    });
  }

  /** The items of a sequence (a missing value is an empty list). */
  items(): Located[] {
    if (this.isMissing()) return [];
    const seq = this.node;
    if (!isSeq(seq)) throw this.error("must be a list");
    return seq.items.map(
      (item, i) =>
        new Located(
          this.source,
          item as Node | null,
          this.source.lineOf((item as Node | null)?.range?.[0] ?? 0),
          `${this.path}[${i}]`,
        ),
    );
  }

  string(options: { optional?: boolean } = {}): string {
    if (this.isMissing()) {
      if (options.optional === true) return "";
      throw this.error("is required");
    }
    const node = this.node;
    if (!isScalar(node) || (typeof node.value !== "string" && typeof node.value !== "number")) {
      throw this.error("must be a text");
    }
    const text = String(node.value).trim();
    if (text === "" && options.optional !== true) throw this.error("must not be empty");
    return text;
  }

  number(fallback?: number): number {
    if (this.isMissing()) {
      if (fallback !== undefined) return fallback;
      throw this.error("is required");
    }
    const node = this.node;
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isFinite(node.value)) {
      throw this.error("must be a number");
    }
    return node.value;
  }

  boolean(fallback: boolean): boolean {
    if (this.isMissing()) return fallback;
    const node = this.node;
    if (!isScalar(node) || typeof node.value !== "boolean") throw this.error("must be true or false");
    return node.value;
  }

  /** A list of texts; a single text is a list of one. */
  strings(): string[] {
    if (this.isMissing()) return [];
    if (isScalar(this.node)) return [this.string()];
    return this.items().map((item) => item.string());
  }
}

/** One YAML or JSON document with its lines. */
export class YamlSource {
  private readonly lines = new LineCounter();
  readonly root: Located;

  constructor(
    readonly path: string,
    readonly code: ErrorCode,
    text: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first !== undefined) {
      const line = first.linePos?.[0]?.line ?? this.lines.linePos(first.pos[0]).line;
      throw this.error(line, first.message.split("\n")[0] ?? "is not valid YAML or JSON");
    }
    const contents = doc.contents as Node | null;
    this.root = new Located(this, contents, this.lineOf(contents?.range?.[0] ?? 0), "");
  }

  /** Reads `path` from disk; a missing file is DATA_FILE_NOT_FOUND. */
  static read(path: string, code: ErrorCode): YamlSource {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (cause) {
      throw new TextkitError("DATA_FILE_NOT_FOUND", `${path} cannot be read`, { file: path, cause });
    }
    return new YamlSource(path, code, text);
  }

  lineOf(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  error(line: number, message: string): TextkitError {
    // "<file> <what>": describe() then prints it as "<file>:<line>: <what>".
    return new TextkitError(this.code, `${this.path} ${message}`, { file: this.path, line });
  }
}
