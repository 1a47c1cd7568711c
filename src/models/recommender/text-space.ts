import type { CatalogItem } from "../../data/index.ts";
import type { EngineParts } from "./engine.ts";

/** The kinds of text space the content model knows. */
export const TEXT_SPACE_KINDS = ["tfidf", "vectors", "encoder"] as const;
export type TextSpaceKind = (typeof TEXT_SPACE_KINDS)[number];

/**
 * Turns item text into sparse (dimension, value) pairs in a fixed space: hashed TF-IDF,
 * word vectors, or a pretrained encoder's embeddings. The content engine normalises the
 * rows; the space only produces the raw features.
 */
export interface TextSpace {
  readonly kind: TextSpaceKind;
  readonly dims: number;
  /** Appends the raw (not yet normalised) features of `item` to the arrays. */
  encode(item: CatalogItem, dims: number[], values: number[]): void;
  /**
   * Spaces whose features come asynchronously (an encoder) compute them here before
   * `encode` is called on the same items; the others have nothing to do.
   */
  prepare?(items: readonly CatalogItem[]): Promise<void>;
  /** Forgets what `prepare` computed, once the rows are encoded. */
  release?(): void;
  parts(): EngineParts;
}
