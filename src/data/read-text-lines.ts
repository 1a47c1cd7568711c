import { blockLines, readLineBlocks } from "./line-blocks.ts";

/** One document of a plain text file. */
export interface TextLine {
  /** The line without surrounding whitespace; never empty. */
  text: string;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Streams a plain UTF-8 text file with one document per line (input to predict, or text to
 * pretrain on), skipping blank lines. Same BOM, CRLF and UTF-8 rules as `readExamples`.
 *
 * @example
 * for await (const { text, line } of readTextLines("inbox.txt")) console.log(line, text);
 */
export async function* readTextLines(path: string): AsyncGenerator<TextLine> {
  for await (const block of readLineBlocks(path)) {
    const lines = blockLines(block);
    for (const [i, raw] of lines.entries()) {
      const text = raw.trim();
      if (text.length > 0) yield { text, line: block.firstLine + i };
    }
  }
}
