/**
 * The MovieLens 100K layout as GroupLens distributes it: u.item (pipe-separated, Latin-1:
 * id | title | release date | video date | URL | 19 genre flags) and rating files such as
 * u.data, ua.base and ua.test (tab-separated: user, item, rating, Unix seconds).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { TextkitError } from "../core/index.ts";
import {
  type CatalogItem,
  DEFAULT_EVENT_WEIGHTS,
  type EventWeights,
  type Interactions,
  InteractionsBuilder,
  ItemCatalog,
} from "./interactions.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";

/** The genres of MovieLens 100K, in the order of u.item's flags (u.genre). */
export const MOVIELENS_GENRES = [
  "unknown",
  "Action",
  "Adventure",
  "Animation",
  "Children's",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
] as const;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** "01-Jan-1995" as Unix seconds, or null. */
function releaseDate(text: string): number | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text.trim());
  if (m === null) return null;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  return month < 0 ? null : Date.UTC(Number(m[3]), month, Number(m[1])) / 1000;
}

function openFailed(path: string, error: unknown): TextkitError {
  return new TextkitError("DATA_FILE_NOT_FOUND", `${path} cannot be read`, { file: path, cause: error });
}

/**
 * Reads u.item: the title (with its year), the genres as tags, the first genre as the
 * category, the release date as the creation time.
 *
 * @example
 * const catalog = await readMovieLensItems("../shared/data/movielens-100k/u.item");
 */
export async function readMovieLensItems(path: string): Promise<ItemCatalog> {
  let text: string;
  try {
    // GroupLens wrote the file in Latin-1 (accented titles); it is not UTF-8.
    text = (await readFile(path)).toString("latin1");
  } catch (error) {
    throw openFailed(path, error);
  }
  const catalog = new ItemCatalog([], path);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    if (raw.trim().length === 0) continue;
    const line = i + 1;
    const fields = raw.split("|");
    if (fields.length < 5 + MOVIELENS_GENRES.length) {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `line ${line} has ${fields.length} fields; a u.item line has ${5 + MOVIELENS_GENRES.length} separated by "|"`,
        { file: path, line },
      );
    }
    const genres = MOVIELENS_GENRES.filter((_, g) => fields[5 + g] === "1");
    const item: CatalogItem = {
      id: fields[0]!.trim(),
      title: fields[1]!.trim(),
      description: "",
      tags: genres,
      category: genres[0] ?? "",
      createdAt: releaseDate(fields[2]!),
    };
    catalog.add(item, { file: path, line });
  }
  return catalog;
}

/**
 * Reads a ratings file (u.data, ua.base, ua.test...): each line "user<tab>item<tab>rating<tab>time"
 * becomes a "rating" event whose value is the rating.
 *
 * @example
 * const train = await readMovieLensRatings(join(dir, "ua.base"), catalog);
 */
export async function readMovieLensRatings(
  path: string,
  catalog: ItemCatalog,
  weights: EventWeights = DEFAULT_EVENT_WEIGHTS,
): Promise<Interactions> {
  const builder = new InteractionsBuilder(catalog, weights, 1 << 17);
  const event = {
    user: "",
    item: "",
    type: "rating",
    value: 0 as number | null,
    timestamp: 0 as number | null,
  };
  for await (const block of readLineBlocks(path)) {
    const texts = blockLines(block);
    for (let i = 0; i < texts.length; i++) {
      const raw = texts[i]!.trim();
      if (raw.length === 0) continue;
      const line = block.firstLine + i;
      const fields = raw.split("\t");
      if (fields.length !== 4) {
        throw new TextkitError(
          "DATA_BAD_ROW",
          `line ${line} has ${fields.length} tab-separated fields; a MovieLens ratings line has 4 (user, item, rating, time)`,
          { file: path, line },
        );
      }
      event.user = fields[0]!;
      event.item = fields[1]!;
      event.value = Number(fields[2]);
      if (!Number.isFinite(event.value)) {
        throw new TextkitError("DATA_BAD_VALUE", `line ${line}: rating "${fields[2]}" is not a number`, {
          file: path,
          line,
          column: "rating",
        });
      }
      event.timestamp = fields[3]!.length > 0 ? Number(fields[3]) : null;
      builder.add(event, { file: path, line }, MOVIELENS_FIELDS);
    }
  }
  if (builder.length === 0) throw new TextkitError("DATA_EMPTY", `${path} has no ratings`, { file: path });
  return builder.build(path);
}

const MOVIELENS_FIELDS = { user: "user", item: "item", type: "type", value: "rating", time: "timestamp" };

/** A MovieLens folder's catalogue and one or more of its rating files, over one user list. */
export interface MovieLensData {
  catalog: ItemCatalog;
  /** The rating files asked for, by name. */
  parts: Record<string, Interactions>;
}

/**
 * Reads `<dir>/u.item` and the named rating files of a MovieLens 100K folder. The parts
 * share the catalogue; user indices differ between parts (look users up by id).
 *
 * @example
 * const { parts } = await readMovieLens("../shared/data/movielens-100k", ["ua.base", "ua.test"]);
 */
export async function readMovieLens(
  dir: string,
  files: readonly string[] = ["u.data"],
): Promise<MovieLensData> {
  const catalog = await readMovieLensItems(join(dir, "u.item"));
  const parts: Record<string, Interactions> = {};
  for (const file of files) parts[file] = await readMovieLensRatings(join(dir, file), catalog);
  return { catalog, parts };
}
