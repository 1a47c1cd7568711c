/**
 * The classifier's Chinese segmentation dictionary on disk: `segmenter.tsv`, one
 * `word<TAB>count` a line, in the dictionary's order. A model without the file splits Han
 * runs with Intl.Segmenter, as every model saved before the file existed.
 */
import { join } from "node:path";
import { type Artifact, artifactFile } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import { DictionarySegmenter, isHanWord, MAX_WORD_UNITS } from "../../text/index.ts";

export const SEGMENTER_FILE = "segmenter.tsv";

/** The bytes of `segmenter.tsv` for a dictionary. */
export function segmenterFileBytes(dictionary: DictionarySegmenter): Uint8Array {
  const lines: string[] = [];
  for (const [i, word] of dictionary.words.entries()) lines.push(`${word}\t${dictionary.counts[i] ?? 0}`);
  return Buffer.from(`${lines.join("\n")}\n`, "utf8");
}

/**
 * The dictionary of a verified artifact, or null when it has none. ARTIFACT_CORRUPT, with the
 * line, when a line is not a Han word, a tab and a positive count, or a word comes twice.
 */
export function readSegmenterFile(artifact: Artifact): DictionarySegmenter | null {
  if (!(SEGMENTER_FILE in artifact.files)) return null;
  const file = join(artifact.dir, SEGMENTER_FILE);
  const text = artifactFile(artifact, SEGMENTER_FILE).toString("utf8");
  const words: string[] = [];
  const counts: number[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    const tab = line.indexOf("\t");
    const word = line.slice(0, tab);
    const count = Number(line.slice(tab + 1));
    const bad =
      tab <= 0 ||
      word.length > MAX_WORD_UNITS ||
      !isHanWord(word) ||
      seen.has(word) ||
      !Number.isSafeInteger(count) ||
      count < 1;
    if (bad) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `${file} line ${i + 1} is not a Han word, a tab and a positive count once per word; the model is damaged: train it again`,
        { file, line: i + 1 },
      );
    }
    seen.add(word);
    words.push(word);
    counts.push(count);
  }
  return words.length === 0 ? null : new DictionarySegmenter(words, counts);
}
