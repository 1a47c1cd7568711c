import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import {
  DEFAULT_EVENT_WEIGHTS,
  InteractionsBuilder,
  ItemCatalog,
  loadInteractions,
  parseEventWeights,
  parseTimestamp,
  readEvents,
  readItems,
} from "./interactions.ts";
import { readMovieLens } from "./movielens.ts";

const scratch = scratchFiles("interactions");

const ITEMS_CSV =
  "id,title,description,tags,category,created\n" +
  'm1,Alien,"A crew, a ship, a monster",sci-fi|horror,film,2026-01-01\n' +
  "m2,Dune,Sand and spice,sci-fi,film,1767225600\n" +
  "b1,Emma,,romance,book,\n";

describe("readItems", () => {
  it("reads ids, text, tags split on |, the category and the creation time (ISO or Unix seconds)", async () => {
    const catalog = await readItems(scratch.write(".csv", ITEMS_CSV));
    assert.equal(catalog.size, 3);
    assert.deepEqual(catalog.at(0), {
      id: "m1",
      title: "Alien",
      description: "A crew, a ship, a monster",
      tags: ["sci-fi", "horror"],
      category: "film",
      createdAt: Date.UTC(2026, 0, 1) / 1000,
    });
    assert.equal(catalog.at(1).createdAt, 1767225600);
    assert.equal(catalog.at(2).createdAt, null);
    assert.equal(catalog.indexOf("b1"), 2);
    assert.equal(catalog.indexOf("zz"), -1);
  });

  it("reads JSONL items whose tags are an array, and an item with only an id", async () => {
    const path = scratch.write(
      ".jsonl",
      '{"item_id": 7, "name": "Arrival", "tags": ["sci-fi", "drama"]}\n\n{"item_id": "8"}\n',
    );
    const catalog = await readItems(path);
    assert.deepEqual(
      catalog.items.map((i) => [i.id, i.title, i.tags]),
      [
        ["7", "Arrival", ["sci-fi", "drama"]],
        ["8", "", []],
      ],
    );
  });

  it("refuses a repeated id, naming both lines", async () => {
    const path = scratch.write(".csv", "id,title\na,One\nb,Two\na,Three\n");
    await assert.rejects(
      readItems(path),
      isCodedError("DATA_DUPLICATE_ID", path, 4, /"a" was given already on line 2/),
    );
  });

  it("refuses a file without an id column, and a bad creation time", async () => {
    const noId = scratch.write(".csv", "name,title\na,One\n");
    await assert.rejects(readItems(noId), isCodedError("DATA_MISSING_COLUMN", noId, 1, /no id column/));
    const badTime = scratch.write(".csv", "id,created\na,2026-01-01\nb,yesterday\n");
    await assert.rejects(readItems(badTime), isCodedError("DATA_BAD_TIMESTAMP", badTime, 3, /"yesterday"/));
  });
});

describe("readEvents", () => {
  it("weighs each event by its type (a rating by its value) and keeps users in order of appearance", async () => {
    const catalog = await readItems(scratch.write(".csv", ITEMS_CSV));
    const path = scratch.write(
      ".csv",
      "user,item,type,value,timestamp\n" +
        "u1,m1,view,,2026-02-01T10:00:00Z\n" +
        "u2,m2,rating,4.5,1770000000\n" +
        "u1,b1,purchase,2,2026-02-01T10:00:00+02:00\n",
    );
    const data = await readEvents(path, catalog);
    assert.equal(data.length, 3);
    assert.deepEqual(data.users, ["u1", "u2"]);
    assert.deepEqual(Array.from(data.user), [0, 1, 0]);
    assert.deepEqual(Array.from(data.item), [0, 1, 2]);
    assert.deepEqual(Array.from(data.weight), [1, 4.5, 5]);
    assert.ok(Number.isNaN(data.value[0]!));
    assert.equal(data.time[0], Date.UTC(2026, 1, 1, 10) / 1000);
    assert.equal(data.time[2], Date.UTC(2026, 1, 1, 8) / 1000);
    assert.deepEqual(Array.from(data.line), [2, 3, 4]);
    assert.equal(data.timed, true);
    assert.equal(data.userIndex("u2"), 1);
  });

  it("takes other column names, custom weights, and row order for time when there is no timestamp column", async () => {
    const catalog = await readItems(scratch.write(".csv", ITEMS_CSV));
    const path = scratch.write(".tsv", "user_id\titem_id\trating\nu1\tm1\t3\nu1\tm2\t5\n");
    const data = await readEvents(path, catalog, { weights: parseEventWeights("rating=2") });
    assert.deepEqual(data.types, ["rating"]);
    assert.deepEqual(Array.from(data.weight), [2, 2]);
    assert.deepEqual(Array.from(data.value), [3, 5]);
    assert.deepEqual(Array.from(data.time), [0, 1]);
    assert.equal(data.timed, false);
  });

  it("reads JSONL events with numeric ids", async () => {
    const catalog = new ItemCatalog([
      { id: "7", title: "", description: "", tags: [], category: "", createdAt: null },
    ]);
    const path = scratch.write(".jsonl", '{"user": 1, "item": 7, "type": "like", "timestamp": 1770000000}\n');
    const data = await readEvents(path, catalog);
    assert.deepEqual(data.users, ["1"]);
    assert.equal(data.weight[0], 3);
  });

  it("names the line of an event whose fields are nested deep, without a stack overflow (issue 15)", async () => {
    const catalog = new ItemCatalog([
      { id: "7", title: "", description: "", tags: [], category: "", createdAt: null },
    ]);
    const deep = `${"[".repeat(60)}${"]".repeat(60)}`;
    const deeper = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const cases: [string, string, RegExp][] = [
      ["DATA_BAD_JSON", `{"user": ${deeper}, "item": 7}`, /nests arrays and objects more than 64 deep/],
      ["DATA_BAD_ROW", `{"user": ${deep}, "item": 7}`, /user is \[\[\[.*\.\.\., not an id/],
      [
        "DATA_BAD_VALUE",
        `{"user": 1, "item": 7, "type": "rating", "value": ${deep}}`,
        /value \[\[.*\.\.\. is not a number/,
      ],
      [
        "DATA_BAD_TIMESTAMP",
        `{"user": 1, "item": 7, "timestamp": ${deep}}`,
        /timestamp \[\[.*\.\.\. is not a time/,
      ],
      ["DATA_UNKNOWN_EVENT_TYPE", `{"user": 1, "item": 7, "type": ${deep}}`, /event type "" has no weight/],
    ];
    for (const [code, record, message] of cases) {
      const first = record.includes('"type"')
        ? '{"user": 1, "item": 7, "type": "view"'
        : '{"user": 1, "item": 7';
      const extra = record.includes('"value"') ? ', "value": 1' : "";
      const time = record.includes('"timestamp"') ? ', "timestamp": 1770000000' : "";
      const path = scratch.write(".jsonl", `${first}${extra}${time}}\n\n${record}\n`);
      await assert.rejects(readEvents(path, catalog), isCodedError(code, path, 3, message), code);
    }
  });

  it("names the file and line of every kind of bad event", async () => {
    const catalog = await readItems(scratch.write(".csv", ITEMS_CSV));
    const cases: [string, string, RegExp][] = [
      ["DATA_UNKNOWN_ITEM", "u1,m9,view,,1770000000", /item "m9" is not in the catalogue/],
      ["DATA_BAD_TIMESTAMP", "u1,m1,view,,2026-13-01", /"2026-13-01" is not a time/],
      ["DATA_BAD_TIMESTAMP", "u1,m1,view,,1770000000000", /milliseconds/],
      ["DATA_BAD_TIMESTAMP", "u1,m1,view,,", /timestamp is empty/],
      ["DATA_BAD_VALUE", "u1,m1,rating,five,1770000000", /value "five" is not a number/],
      ["DATA_BAD_VALUE", "u1,m1,rating,,1770000000", /weighs its value, and this one has none/],
      ["DATA_UNKNOWN_EVENT_TYPE", "u1,m1,wishlist,,1770000000", /"wishlist" has no weight/],
      ["DATA_BAD_ROW", ",m1,view,,1770000000", /user is empty/],
    ];
    for (const [code, row, message] of cases) {
      const path = scratch.write(".csv", `user,item,type,value,timestamp\nu1,m1,view,,1770000000\n${row}\n`);
      await assert.rejects(readEvents(path, catalog), isCodedError(code, path, 3, message), row);
    }
    const missing = scratch.write(".csv", "person,item\nu1,m1\n");
    await assert.rejects(
      readEvents(missing, catalog),
      isCodedError("DATA_MISSING_COLUMN", missing, 1, /no user column/),
    );
    const empty = scratch.write(".csv", "user,item\n");
    await assert.rejects(
      readEvents(empty, catalog),
      isCodedError("DATA_EMPTY", empty, undefined, /no events/),
    );
  });

  it("loadInteractions reads both files", async () => {
    const items = scratch.write(".csv", ITEMS_CSV);
    const events = scratch.write(".csv", "user,item,type\nu1,m1,click\n");
    const data = await loadInteractions(items, events);
    assert.equal(data.catalog.size, 3);
    assert.equal(data.weight[0], 2);
  });
});

describe("event weights and timestamps", () => {
  it("parses weights over the defaults and refuses a bad pair", () => {
    const w = parseEventWeights("view=0.5, dislike=-3,rating=value");
    assert.equal(w["view"], 0.5);
    assert.equal(w["dislike"], -3);
    assert.equal(w["purchase"], DEFAULT_EVENT_WEIGHTS["purchase"]);
    assert.throws(
      () => parseEventWeights("view"),
      isCodedError("OPTION_INVALID", undefined, undefined, /type=number/),
    );
    assert.throws(
      () => parseEventWeights("view=x"),
      isCodedError("OPTION_INVALID", undefined, undefined, /view=x/),
    );
  });

  it("parses ISO 8601 dates, times with zones, and Unix seconds; refuses impossible dates", () => {
    assert.equal(parseTimestamp("2026-03-01"), Date.UTC(2026, 2, 1) / 1000);
    assert.equal(parseTimestamp("2026-03-01 12:30"), Date.UTC(2026, 2, 1, 12, 30) / 1000);
    assert.equal(parseTimestamp("2026-03-01T12:00:00.250-05:00"), Date.UTC(2026, 2, 1, 17, 0, 0, 250) / 1000);
    assert.equal(parseTimestamp(" 1772366400 "), 1772366400);
    assert.equal(parseTimestamp(1772366400.5), 1772366400.5);
    for (const bad of ["2026-02-30", "March 1", "", "1e9", "2026-03-01T25:00"]) {
      assert.throws(
        () => parseTimestamp(bad),
        isCodedError("DATA_BAD_TIMESTAMP", undefined, undefined, /not a time/),
        bad,
      );
    }
  });

  it("lets a builder validate events given in memory, naming the event's position", () => {
    const catalog = new ItemCatalog([
      { id: "a", title: "", description: "", tags: [], category: "", createdAt: null },
    ]);
    const builder = new InteractionsBuilder(catalog);
    builder.add({ user: "u", item: "a", type: "view" }, { index: 0 });
    assert.throws(
      () => builder.add({ user: "u", item: "b", type: "view" }, { index: 1 }),
      (e: unknown) => isCodedError("DATA_UNKNOWN_ITEM", undefined, undefined, /event 2: item "b"/)(e),
    );
    assert.throws(
      () => builder.add({ user: "u", item: "a", type: "view", timestamp: 5 }, { index: 2 }),
      isCodedError("DATA_BAD_TIMESTAMP", undefined, undefined, /earlier ones have none/),
    );
    assert.equal(builder.build("memory").length, 1);
  });
});

describe("readMovieLens", () => {
  it("reads u.item (Latin-1, genre flags) and tab-separated ratings", async () => {
    const dir = join(scratch.path, "ml");
    mkdirSync(dir);
    const flags = (on: number[]) =>
      Array.from({ length: 19 }, (_, g) => (on.includes(g) ? "1" : "0")).join("|");
    writeFileSync(
      join(dir, "u.item"),
      Buffer.from(
        `1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}\n2|Amélie (2001)|01-Jan-2001||http://y|${flags([5, 14])}\n`,
        "latin1",
      ),
    );
    writeFileSync(join(dir, "u.data"), "1\t1\t5\t874965758\n2\t2\t3\t876893171\n1\t2\t4\t878542960\n");
    const { catalog, parts } = await readMovieLens(dir);
    assert.equal(catalog.at(1).title, "Amélie (2001)");
    assert.deepEqual(catalog.at(0).tags, ["Animation", "Children's", "Comedy"]);
    assert.equal(catalog.at(0).category, "Animation");
    assert.equal(catalog.at(0).createdAt, Date.UTC(1995, 0, 1) / 1000);
    const ratings = parts["u.data"]!;
    assert.equal(ratings.length, 3);
    assert.deepEqual(Array.from(ratings.weight), [5, 3, 4]);
    assert.deepEqual(ratings.types, ["rating"]);
    writeFileSync(join(dir, "bad.data"), "1\t1\t5\t874965758\n1\t7\t5\t874965758\n");
    await assert.rejects(
      readMovieLens(dir, ["bad.data"]),
      isCodedError("DATA_UNKNOWN_ITEM", join(dir, "bad.data"), 2, /item "7"/),
    );
  });
});
