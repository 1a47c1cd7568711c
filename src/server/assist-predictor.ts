/** The server's loader of assistants (family `assistant`). */
import { ASSISTANT_FAMILY, loadAssistant } from "../apps/assist/index.ts";
import type { ArtifactManifest } from "../artifact/index.ts";
import { TextkitError } from "../core/index.ts";
import type { EncoderPool } from "./encoder-pool.ts";
import type { Predictor } from "./registry.ts";

/**
 * Loads an assistant. `predict` answers each text as the first message of a conversation
 * (`{ path, text, intent, faq, passage, why }`); the chat route keeps conversations. An
 * assistant trained on a pretrained encoder takes it from the server's pool (one per
 * checksum, shared with every other model on it, batched across requests, its batches in
 * /metrics), from the copy bundled in its intent head or else the folder it was trained with.
 */
export async function loadAssistantPredictor(
  dir: string,
  _manifest: ArtifactManifest,
  encoders?: EncoderPool,
): Promise<Predictor> {
  const assistant = await loadAssistant(dir, encoders === undefined ? {} : { encoders });
  return {
    labels: assistant.intentIds,
    details: {
      name: assistant.settings.name,
      intents: assistant.intentIds.length,
      threshold: assistant.threshold,
      temperature: assistant.temperature,
      validation: assistant.validation,
      faqThreshold: assistant.options.faqThreshold,
      passageThreshold: assistant.options.passageThreshold,
      encoder: assistant.encoder?.id ?? null,
    },
    loaded: { family: ASSISTANT_FAMILY, model: assistant },
    // Concurrently, so that an encoder's batcher encodes the texts together.
    predict: (inputs) =>
      Promise.all(
        inputs.map(async (text) => {
          const { state: _state, ...reply } = await assistant.replyAsync(text);
          return reply;
        }),
      ),
    assistant,
    async selfTest() {
      const reply = await assistant.replyAsync("textkit self-test");
      if (typeof reply.text !== "string") {
        throw new TextkitError("ARTIFACT_CORRUPT", `the assistant in ${dir} does not answer`, { file: dir });
      }
    },
  };
}
