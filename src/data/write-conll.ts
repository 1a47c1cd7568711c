import { convertTags, type TagScheme, TextkitError, tagChunks } from "../core/index.ts";
import type { TaggedSentence } from "./tagged-example.ts";

const COLUMN_SPACE = /[ \t\r\n]/;

/**
 * Writes sentences (BIO tags, as readers give them) as CoNLL text: one `token tag` line per
 * token, tags in `scheme`, a blank line between sentences, and a final line break.
 * `loadTaggedDataset` reads the result back. Throws DATA_BAD_ROW for a sentence that CoNLL
 * cannot hold: an empty token or one with a space, tab or line break, or a tag count that
 * differs from the token count.
 *
 * @example
 * writeConll([{ tokens: ["New", "York"], tags: ["B-LOC", "I-LOC"], line: 1, text: "New York", starts: [0, 4], ends: [3, 8] }], "bioes");
 * // "New B-LOC\nYork E-LOC\n"
 */
export function writeConll(sentences: readonly TaggedSentence[], scheme: TagScheme): string {
  const parts: string[] = [];
  for (const sentence of sentences) {
    const { tokens, line } = sentence;
    if (sentence.tags.length !== tokens.length) {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `the sentence of line ${line} has ${tokens.length} tokens but ${sentence.tags.length} tags`,
        { line },
      );
    }
    const tags = scheme === "bio" ? sentence.tags : convertTags(sentence.tags, "bio", scheme);
    if (parts.length > 0) parts.push("\n");
    for (const [i, token] of tokens.entries()) {
      if (token.length === 0 || COLUMN_SPACE.test(token)) {
        throw new TextkitError(
          "DATA_BAD_ROW",
          `token ${i + 1} of the sentence of line ${line} is ${JSON.stringify(token)}; a CoNLL token cannot be empty or hold a space, tab or line break`,
          { line },
        );
      }
      parts.push(`${token} ${tags[i] ?? "O"}\n`);
    }
  }
  return parts.join("");
}

/**
 * Writes sentences as JSONL spans, one `{"text", "entities": [[start, end, label]]}` line
 * per sentence, with UTF-16 offsets into `text` (end exclusive), as `loadTaggedDataset`
 * reads them.
 *
 * @example
 * writeSpansJsonl([{ tokens: ["New", "York"], tags: ["B-LOC", "I-LOC"], line: 1, text: "New York", starts: [0, 4], ends: [3, 8] }]);
 * // '{"text":"New York","entities":[[0,8,"LOC"]]}\n'
 */
export function writeSpansJsonl(sentences: readonly TaggedSentence[]): string {
  let out = "";
  for (const s of sentences) {
    const entities = tagChunks(s.tags, "bio").map((c) => [s.starts[c.start], s.ends[c.end - 1], c.type]);
    out += `${JSON.stringify({ text: s.text, entities })}\n`;
  }
  return out;
}
