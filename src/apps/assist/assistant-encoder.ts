/**
 * The pretrained encoder of an assistant trained with one (issue 12): where loading finds
 * it (a folder given, the copy bundled in the intent head, or the folder it was trained
 * with), who provides it (the caller's pool, such as the server's shared one, or a copy
 * opened here and released by `Assistant.close`), and one passage encoder over it that the
 * intent head and both indexes share, so that a message costs one forward pass.
 */
import { join } from "node:path";
import { type SentenceEncoder, TextkitError } from "../../core/index.ts";
import { encoderHeadOf, unpackEncoderBundle } from "../../models/classifier/index.ts";
import { type LoadEncoderOptions, loadEncoder } from "../../models/encoder/index.ts";
import { SentencePassageEncoder } from "../../models/retrieval/index.ts";
import type { AssistantEncoderRef } from "./assistant-types.ts";

/** Gives the encoder of a checksum, loading it from a folder the first time (the server's `EncoderPool`). */
export interface EncoderSource {
  acquire(dir: string, checksum: string): Promise<SentenceEncoder>;
}

/** How `loadAssistant` finds the pretrained encoder of an assistant trained on one. */
export interface AssistantEncoderRuntime {
  /** Open it from this folder rather than the bundled copy or the folder it was trained with. */
  encoderDir?: string;
  /** Take it from this source (the server's shared pool) instead of opening a copy of its own. */
  encoders?: EncoderSource;
  /**
   * An encoder already loaded: used as it is (no folder needed, never closed here). Its
   * checksum is checked by the intent head and the indexes (ENCODER_CHANGED for another).
   */
  encoder?: SentenceEncoder;
  /** Threads and embedding cache of a copy opened here. */
  encoderOptions?: Pick<LoadEncoderOptions, "threads" | "cacheDir">;
}

/** The encoder as an assistant's models use it. */
export interface OpenedAssistantEncoder {
  /** For the intent head: embeds through `passages`' cache of recent texts. */
  encoder: SentenceEncoder;
  /** For the FAQ and passage indexes. */
  passages: SentencePassageEncoder;
  /** Where it was opened from (null: an encoder given already loaded, its folder unknown). */
  from: string | null;
  release: () => Promise<void>;
}

/** The folder to open the encoder from: the one given, else the bundled copy, else the recorded one. */
async function encoderFolder(dir: string, ref: AssistantEncoderRef, runtime: AssistantEncoderRuntime) {
  if (runtime.encoderDir !== undefined) return runtime.encoderDir;
  const head = await encoderHeadOf(join(dir, "intent")).catch(() => null);
  if (head?.bundled === true) return unpackEncoderBundle(join(dir, "intent"));
  if (ref.path === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the assistant in ${dir} was trained on the encoder ${ref.id} and neither carries it nor names its folder: pass --encoder DIR`,
      { file: join(dir, "assistant.json") },
    );
  }
  return ref.path;
}

/**
 * Opens (or acquires) the encoder `ref` names for the assistant in `dir`. The checksum is
 * not checked here: the intent head and the indexes refuse another (ENCODER_CHANGED).
 */
export async function openAssistantEncoder(
  dir: string,
  ref: AssistantEncoderRef,
  runtime: AssistantEncoderRuntime,
): Promise<OpenedAssistantEncoder> {
  let from: string | null;
  let base: SentenceEncoder;
  let release = async (): Promise<void> => {};
  if (runtime.encoder !== undefined) {
    from = runtime.encoderDir ?? ref.path;
    base = runtime.encoder;
  } else if (runtime.encoders !== undefined) {
    from = await encoderFolder(dir, ref, runtime);
    base = await runtime.encoders.acquire(from, ref.checksum);
  } else {
    from = await encoderFolder(dir, ref, runtime);
    const own = await loadEncoder(from, runtime.encoderOptions ?? {});
    base = own;
    release = () => own.close();
  }
  const passages = new SentencePassageEncoder(base, { path: from });
  const encoder: SentenceEncoder = {
    id: base.id,
    checksum: base.checksum,
    dim: base.dim,
    embed: async (texts) => ({
      vectors: await passages.encodeAsync(texts),
      dim: base.dim,
      truncated: 0,
      cached: 0,
    }),
  };
  return { encoder, passages, from, release };
}
