#!/usr/bin/env node
// Writes the small, made-up data sets that the README's regression, forecasting, clustering
// and recommendation examples run on, under samples/: houses (regress), mentions (forecast),
// points (cluster --numeric), posts (cluster on texts, from samples/monitor's English
// texts) and a shop's items and events (recommend). Deterministic: a seeded generator, so
// running it again writes the same bytes. Run: node scripts/make-table-samples.mjs
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SAMPLES = fileURLToPath(new URL("../samples/", import.meta.url));

/** A small seeded generator (xorshift32), uniform in [0, 1). */
function generator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
function normal(next) {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

function write(folder, name, lines) {
  mkdirSync(join(SAMPLES, folder), { recursive: true });
  writeFileSync(join(SAMPLES, folder, name), `${lines.join("\n")}\n`);
}

/** Flats: price (thousands) grows with area and rooms and depends on the city. */
function houses() {
  const next = generator(11);
  const cities = { Lyon: 3.1, Lille: 2.4, Nantes: 2.7, Paris: 6.2 };
  const names = Object.keys(cities);
  const row = (withPrice) => {
    const city = names[Math.floor(next() * names.length)];
    const rooms = 1 + Math.floor(next() * 5);
    const area = Math.round((18 + rooms * 16 + normal(next) * 8) * 10) / 10;
    const price = cities[city] * area + 9 * rooms + 20 + normal(next) * 12;
    return withPrice ? `${area},${rooms},${city},${price.toFixed(1)}` : `${area},${rooms},${city}`;
  };
  const table = (n, withPrice) => [
    withPrice ? "area,rooms,city,price" : "area,rooms,city",
    ...Array.from({ length: n }, () => row(withPrice)),
  ];
  write("regression", "houses.csv", table(240, true));
  write("regression", "houses-test.csv", table(60, true));
  write("regression", "new-houses.csv", table(8, false));
}

/** Daily mentions of a product: slow growth, a weekly rhythm, noise. */
function mentions() {
  const next = generator(23);
  const lines = ["date,mentions"];
  const start = Date.UTC(2026, 0, 1);
  const weekly = [0.7, 1.1, 1.15, 1.1, 1.05, 1.0, 0.6];
  for (let day = 0; day < 180; day++) {
    const date = new Date(start + day * 86_400_000);
    const level = 120 * 1.004 ** day * weekly[date.getUTCDay()];
    lines.push(`${date.toISOString().slice(0, 10)},${Math.max(0, Math.round(level + normal(next) * 8))}`);
  }
  write("forecast", "mentions.csv", lines);
}

/** Points around three centres in four dimensions. */
function points() {
  const next = generator(37);
  const centres = [
    [0, 0, 0, 0],
    [6, 6, 0, 2],
    [0, 6, 6, -2],
  ];
  const lines = ["x1,x2,x3,x4"];
  for (let i = 0; i < 150; i++) {
    const c = centres[i % 3];
    lines.push(c.map((v) => (v + normal(next)).toFixed(3)).join(","));
  }
  write("cluster", "points.csv", lines);
}

/** The English texts of samples/monitor/train.csv, one post per line. */
function posts() {
  const text = readFileSync(join(SAMPLES, "monitor", "train.csv"), "utf8");
  const lines = [];
  // Rows are text,topic,sentiment,lang; a text is quoted when it holds a comma.
  for (const match of text.matchAll(/^(?:"((?:[^"]|"")*)"|([^",\n]*)),[^,\n]*,[^,\n]*,en$/gm)) {
    const post = (match[1] ?? match[2] ?? "").replaceAll('""', '"').trim();
    if (post !== "") lines.push(post);
  }
  write("cluster", "posts.txt", lines);
}

/** A shop: items with text in four categories, and users who mostly stay in one or two. */
function shop() {
  const next = generator(53);
  const words = {
    kitchen: ["pan", "knife", "kettle", "bowl", "grater", "whisk", "teapot", "skillet"],
    garden: ["hose", "rake", "seed tray", "pruner", "watering can", "planter", "trowel", "compost bin"],
    outdoor: ["tent", "lantern", "backpack", "sleeping bag", "stove", "compass", "hammock", "flask"],
    books: ["cookbook", "novel", "atlas", "field guide", "poetry", "biography", "comic", "almanac"],
  };
  const adjectives = ["classic", "compact", "deluxe", "light", "sturdy", "handmade"];
  const categories = Object.keys(words);
  const items = ["id,title,description,tags,category,created"];
  const byCategory = {};
  let n = 0;
  for (const category of categories) {
    byCategory[category] = [];
    for (let i = 0; i < 15; i++) {
      const id = `i${++n}`;
      const noun = words[category][i % 8];
      const adjective = adjectives[(i * 5 + n) % adjectives.length];
      items.push(
        `${id},${adjective} ${noun},A ${adjective} ${noun} for ${category === "books" ? "readers" : `the ${category}`}.,${category}|${adjective},${category},2026-0${1 + (i % 3)}-${String(1 + i).padStart(2, "0")}`,
      );
      byCategory[category].push(id);
    }
  }
  const types = ["view", "view", "view", "click", "click", "like", "purchase"];
  const train = ["user,item,type,timestamp"];
  const test = ["user,item,type,timestamp"];
  const start = Date.UTC(2026, 3, 1) / 1000;
  for (let u = 1; u <= 80; u++) {
    const favourite = categories[u % 4];
    const second = categories[(u + 1 + (u % 3)) % 4];
    const count = 8 + Math.floor(next() * 10);
    let time = start + Math.floor(next() * 86_400);
    const pick = () => {
      const pool =
        next() < 0.75
          ? byCategory[favourite]
          : next() < 0.8
            ? byCategory[second]
            : items.slice(1).map((r) => r.split(",")[0]);
      return pool[Math.floor(next() * pool.length)];
    };
    for (let e = 0; e < count; e++) {
      time += 600 + Math.floor(next() * 86_400);
      train.push(`u${u},${pick()},${types[Math.floor(next() * types.length)]},${time}`);
    }
    // The next weeks: what the user does after the training period.
    for (let e = 0; e < 2; e++) {
      time += 86_400 * 7;
      test.push(`u${u},${pick()},${next() < 0.5 ? "purchase" : "like"},${time}`);
    }
  }
  write("recommend", "items.csv", items);
  write("recommend", "events.csv", train);
  write("recommend", "test-events.csv", test);
}

houses();
mentions();
points();
posts();
shop();
console.log("wrote samples/regression, samples/forecast, samples/cluster and samples/recommend");
