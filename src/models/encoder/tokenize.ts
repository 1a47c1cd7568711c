/**
 * Token ids for the encoder, from Hugging Face's own tokenizer.json reader
 * (@huggingface/tokenizers), with truncation to the model's maximum done here so that it
 * can be counted (sentences given as words are split into windows instead: token-states.ts).
 */
import { Tokenizer } from "@huggingface/tokenizers";
import { TextkitError } from "../../core/index.ts";

/** One text's ids, special tokens included, and whether its tail was cut off. */
export interface TokenizedText {
  ids: number[];
  truncated: boolean;
}

function sameRun(haystack: readonly number[], at: number, needle: readonly number[]): boolean {
  for (let i = 0; i < needle.length; i++) if (haystack[at + i] !== needle[i]) return false;
  return true;
}

/**
 * A tokenizer bound to a maximum length. The special tokens around a text (`[CLS]` and
 * `[SEP]`, `<s>` and `</s>`) are found once by encoding a probe with and without them.
 */
export class EncoderTokenizer {
  readonly maxLength: number;
  readonly vocabSize: number;
  /** The largest id the tokenizer can give. */
  readonly maxId: number;
  readonly #tokenizer: Tokenizer;
  readonly #prefix: number[];
  readonly #suffix: number[];

  constructor(tokenizerJson: object, tokenizerConfig: object, maxLength: number, file: string) {
    try {
      this.#tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new TextkitError(
        "ENCODER_UNSUPPORTED",
        `${file}: the tokenizer cannot be built (${error instanceof Error ? error.message : String(error)})`,
        { file, cause: error },
      );
    }
    const probe = "a";
    const withSpecials = this.#tokenizer.encode(probe).ids;
    const bare = this.#tokenizer.encode(probe, { add_special_tokens: false }).ids;
    let at = -1;
    for (let i = 0; i + bare.length <= withSpecials.length; i++) {
      if (sameRun(withSpecials, i, bare)) {
        at = i;
        break;
      }
    }
    if (at < 0 || bare.length === 0) {
      throw new TextkitError(
        "ENCODER_UNSUPPORTED",
        `${file}: cannot tell the special tokens around a text apart`,
        {
          file,
        },
      );
    }
    this.#prefix = withSpecials.slice(0, at);
    this.#suffix = withSpecials.slice(at + bare.length);
    this.maxLength = maxLength;
    const vocab = this.#tokenizer.get_vocab(true);
    this.vocabSize = vocab.size;
    this.maxId = Math.max(...vocab.values());
    if (maxLength < this.#prefix.length + this.#suffix.length + 1) {
      throw new TextkitError("OPTION_INVALID", `maxLength ${maxLength} leaves no room for a single token`, {
        details: { option: "maxLength" },
      });
    }
  }

  /** Room for a text's own tokens once the special tokens are in. */
  get room(): number {
    return this.maxLength - this.#prefix.length - this.#suffix.length;
  }

  /** A row with the largest id between the special tokens: a graph that runs it embeds every id. */
  probe(): number[] {
    return [...this.#prefix, this.maxId, ...this.#suffix];
  }

  /** The ids of `text` alone, without special tokens. */
  pieces(text: string): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Ids with special tokens, cut to the maximum. A text far longer than any model's
   * maximum is cut (at a space where one is near) before it is tokenised, so that a
   * megabyte of input costs what the tokens kept cost; every kept token comes at least one
   * character from the cut, so what is kept is what the whole text would give.
   */
  encode(text: string): TokenizedText {
    const limit = this.room * 16 + 64;
    let source = text;
    let cut = false;
    if (text.length > limit) {
      let end = text.lastIndexOf(" ", limit);
      if (end < limit / 2) end = limit;
      // Never split a surrogate pair.
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
      source = text.slice(0, end);
      cut = true;
    }
    let body = this.pieces(source);
    if (cut && body.length <= this.room) body = this.pieces(text);
    const truncated = body.length > this.room;
    if (truncated) body = body.slice(0, this.room);
    return { ids: [...this.#prefix, ...body, ...this.#suffix], truncated };
  }

  /** `body` (a text's own ids, at most `room` of them) between the special tokens. */
  wrap(body: readonly number[]): number[] {
    return [...this.#prefix, ...body, ...this.#suffix];
  }

  /** How many special tokens come before a text's own ids. */
  get prefixLength(): number {
    return this.#prefix.length;
  }
}
