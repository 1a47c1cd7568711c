/**
 * The catalogue of items that behaviour events are about, in a fixed order (an item's
 * index is its position), and the item a caller gives turned into a checked one.
 */
import { TextkitError } from "../core/index.ts";
import { idOf, parseTimestamp, textOf, type Where } from "./interactions-fields.ts";

/** One item of the catalogue. */
export interface CatalogItem {
  id: string;
  title: string;
  description: string;
  tags: readonly string[];
  /** "" when the item has none. */
  category: string;
  /** Unix seconds; null when the file gives no creation time. */
  createdAt: number | null;
}

/** What a caller gives for a new item: only the id is required. */
export interface CatalogItemInput {
  id: string;
  title?: string;
  description?: string;
  tags?: readonly string[];
  category?: string;
  /** ISO 8601 or Unix seconds. */
  createdAt?: string | number | null;
}

/**
 * The items events may name, in a fixed order: an item's index is its position here.
 *
 * @example
 * const catalog = new ItemCatalog([{ id: "m1", title: "Alien", description: "", tags: [], category: "sci-fi", createdAt: null }]);
 * catalog.indexOf("m1"); // 0
 */
export class ItemCatalog {
  readonly source: string;
  private readonly list: CatalogItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(items: readonly CatalogItem[] = [], source = "memory") {
    this.source = source;
    for (const item of items) this.add(item);
  }

  get size(): number {
    return this.list.length;
  }

  get items(): readonly CatalogItem[] {
    return this.list;
  }

  /** The item's index, or -1 when the catalogue has no such id. */
  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }

  at(index: number): CatalogItem {
    const item = this.list[index];
    if (item === undefined) throw new TextkitError("INTERNAL", `no item at index ${index}`);
    return item;
  }

  /** Appends an item and returns its index; an id that is there already is DATA_DUPLICATE_ID. */
  add(item: CatalogItem, where: { file?: string; line?: number } = {}): number {
    if (this.index.has(item.id)) {
      throw new TextkitError("DATA_DUPLICATE_ID", `item id "${item.id}" appears twice`, {
        ...where,
        column: "id",
      });
    }
    const at = this.list.length;
    this.list.push(item);
    this.index.set(item.id, at);
    return at;
  }
}

/** A catalogue item from what a caller gives (the id is required; the rest defaults to empty). */
export function catalogItemOf(input: CatalogItemInput, where: Where = {}): CatalogItem {
  const id = idOf(input.id, where, "id");
  const created = input.createdAt;
  return {
    id,
    title: textOf(input.title),
    description: textOf(input.description),
    tags: Array.isArray(input.tags) ? input.tags.map(textOf).filter((t) => t.length > 0) : [],
    category: textOf(input.category),
    createdAt:
      created === undefined || created === null || created === ""
        ? null
        : parseTimestamp(created, where, "createdAt"),
  };
}
