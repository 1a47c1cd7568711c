import { TextkitError } from "../../core/index.ts";

/** Refuses what is not a list of non-empty strings, naming the first bad entry. */
export function checkTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) {
    throw new TextkitError("OPTION_INVALID", "embed takes a list of texts", { details: { option: "texts" } });
  }
  for (let i = 0; i < texts.length; i++) {
    const text: unknown = texts[i];
    if (typeof text !== "string") {
      throw new TextkitError("OPTION_INVALID", `text ${i + 1} is not a string`, {
        details: { option: "texts", index: i },
      });
    }
    if (text.trim() === "") {
      throw new TextkitError(
        "DATA_EMPTY_TEXT",
        `text ${i + 1} is empty; an encoder needs some text to encode`,
        {
          details: { index: i },
        },
      );
    }
  }
}
