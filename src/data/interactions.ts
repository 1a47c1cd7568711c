/**
 * Behaviour events (a user viewed, clicked, liked, shared, bought or rated an item) and
 * the catalogue of items they are about, read from CSV/TSV with a header or from JSONL.
 * Events are held column by column in typed arrays, so that ten million of them cost a
 * few hundred megabytes rather than ten million objects.
 *
 * This file gathers the parts: the event fields (interactions-fields.ts), the catalogue
 * (interactions-catalog.ts), the columns and their builder (interactions-columns.ts) and
 * the file readers (interactions-files.ts).
 */
export type { CatalogItem, CatalogItemInput } from "./interactions-catalog.ts";
export { catalogItemOf, ItemCatalog } from "./interactions-catalog.ts";
export type { InteractionColumns } from "./interactions-columns.ts";
export { Interactions, InteractionsBuilder } from "./interactions-columns.ts";
export type { BehaviourEvent, EventColumnNames, EventWeight, EventWeights } from "./interactions-fields.ts";
export { DEFAULT_EVENT_WEIGHTS, parseEventWeights, parseTimestamp } from "./interactions-fields.ts";
export type { EventReadOptions, ItemReadOptions } from "./interactions-files.ts";
export { loadInteractions, readEvents, readItems } from "./interactions-files.ts";
export type { TableFileOptions } from "./table-records.ts";
