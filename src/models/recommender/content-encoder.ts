/**
 * The content model's items through a pretrained encoder (issue 12): an item's profile is
 * the encoder's sentence embedding of its text (title, description, tags, category). The
 * embeddings are computed once at training and stored in the artifact as the content rows,
 * so a loaded model recommends without the encoder; the encoder is needed again only to
 * embed items added later (`addItemsAsync`), and must then be the same one (by checksum,
 * ENCODER_CHANGED otherwise). The model names it in its state: id, checksum, dimension and
 * the folder it was trained from.
 */
import { join } from "node:path";
import { readEncoderRef, type SentenceEncoder, TextkitError } from "../../core/index.ts";
import type { CatalogItem } from "../../data/index.ts";
import type { EngineParts } from "./engine.ts";
import type { TextSpace } from "./text-space.ts";

/** How a recommender names the encoder its item vectors came from. */
export interface RecommenderEncoderRef {
  id: string;
  checksum: string;
  dim: number;
  /** The folder it was loaded from at training time (a hint for loaders; the checksum decides). */
  path: string | null;
}

/** A loaded encoder and the folder it came from, as training and loading take it. */
export interface ContentEncoder {
  encoder: SentenceEncoder;
  path: string | null;
}

/**
 * The text an item is embedded from: title, description, tags and category, each a
 * sentence of its own so that the encoder reads them as separate statements.
 *
 * @example
 * itemText({ id: "m1", title: "Alien", description: "", tags: ["space"], category: "Horror", createdAt: null });
 * // "Alien. space. Horror"
 */
export function itemText(item: CatalogItem): string {
  const parts = [item.title, item.description, item.tags.join(", "), item.category];
  return parts
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .join(". ");
}

/** Sentence embeddings of item texts; a text without an embedding yet has no features. */
export class EncoderSpace implements TextSpace {
  readonly kind = "encoder";
  readonly dims: number;
  readonly ref: RecommenderEncoderRef;
  private readonly encoder: SentenceEncoder | null;
  /** Embeddings computed by `prepare`, by item text, until `encode` takes them. */
  private readonly pending = new Map<string, Float32Array>();

  constructor(ref: RecommenderEncoderRef, encoder: SentenceEncoder | null) {
    this.ref = ref;
    this.dims = ref.dim;
    this.encoder = encoder;
  }

  /** The space of `source`'s encoder, recorded under the folder it came from. */
  static of(source: ContentEncoder): EncoderSpace {
    const { encoder, path } = source;
    return new EncoderSpace({ id: encoder.id, checksum: encoder.checksum, dim: encoder.dim, path }, encoder);
  }

  /** Whether new items can be embedded (the model was trained or loaded with its encoder). */
  get hasEncoder(): boolean {
    return this.encoder !== null;
  }

  async prepare(items: readonly CatalogItem[]): Promise<void> {
    if (this.encoder === null || items.length === 0) return;
    const texts = [...new Set(items.map(itemText).filter((t) => t.length > 0))];
    if (texts.length === 0) return;
    const out = await this.encoder.embed(texts);
    if (out.dim !== this.dims || out.vectors.length !== texts.length * this.dims) {
      throw new TextkitError("INTERNAL", `the encoder ${this.ref.id} returned vectors of the wrong shape`);
    }
    for (const value of out.vectors) {
      if (!Number.isFinite(value)) {
        throw new TextkitError(
          "DATA_BAD_VECTORS",
          `the encoder ${this.ref.id} returned ${value} in a vector`,
        );
      }
    }
    texts.forEach((text, r) => {
      this.pending.set(text, out.vectors.slice(r * this.dims, (r + 1) * this.dims));
    });
  }

  encode(item: CatalogItem, dims: number[], values: number[]): void {
    const text = itemText(item);
    // Kept until release(): items with the same text share the vector.
    const vector = this.pending.get(text);
    if (vector === undefined) return;
    for (const [d, v] of vector.entries()) {
      dims.push(d);
      values.push(v);
    }
  }

  release(): void {
    this.pending.clear();
  }

  parts(): EngineParts {
    return { files: {}, state: { space: "encoder", encoder: { ...this.ref } } };
  }

  /**
   * The space stored in a model's state, with `encoder` when one is given (which must be
   * the one the model was trained on: ENCODER_CHANGED otherwise).
   */
  static fromState(
    state: Record<string, unknown>,
    dims: number,
    encoder: SentenceEncoder | null,
    where: string,
  ): EncoderSpace {
    const ref = encoderRefOf(state["encoder"], where);
    if (ref.dim !== dims) {
      throw new TextkitError("ARTIFACT_CORRUPT", `the encoder named in ${where} does not match its vectors`, {
        file: join(where, "state.json"),
      });
    }
    if (encoder !== null) checkRecommenderEncoder(ref, encoder, where);
    return new EncoderSpace(ref, encoder);
  }
}

/** Refuses an encoder other than the one the model was trained on (by checksum and dimension). */
export function checkRecommenderEncoder(
  ref: RecommenderEncoderRef,
  encoder: SentenceEncoder,
  where: string,
): void {
  if (encoder.checksum !== ref.checksum || encoder.dim !== ref.dim) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `the item vectors in ${where} come from the encoder ${ref.id} (checksum ${ref.checksum.slice(0, 12)}); the encoder given is ${encoder.id}`,
      { file: join(where, "state.json") },
    );
  }
}

/** The stored reference, checked: ARTIFACT_CORRUPT naming the file when it is not one. */
export function encoderRefOf(value: unknown, where: string): RecommenderEncoderRef {
  const ref = readEncoderRef(value);
  if (ref === null) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the state in ${where} does not name the content model's encoder (id, checksum, dim, path)`,
      { file: join(where, "state.json") },
    );
  }
  return ref;
}
