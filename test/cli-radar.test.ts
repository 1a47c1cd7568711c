/**
 * `textkit radar` run in-process through `main`, against a SQLite file and a real PostgreSQL
 * server: build from a documents file, show, discover a growing term and accept it into the
 * dictionary file (comments kept, written atomically, refused through the dictionary's own
 * checks for a name or alias already taken), rebuild with it; and the `radar` key scope made
 * by `textkit keys create --scope radar` opening the radar's routes on a real server, where
 * monitor keys still pass and predict keys do not.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEMO_DICTIONARY_YAML, demoCorpus, parseDictionary } from "../src/apps/radar/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, tempDir } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";
import { storeTargets } from "./support/postgres.ts";

/** Two years at 0.3 of the demo's volume: small, and Vexel still grows enough to be proposed. */
function writeDocuments(path: string): number {
  const lines = [...demoCorpus({ weeks: 104, scale: 0.3 })].map((d) =>
    JSON.stringify({
      id: d.id,
      time: new Date(d.time).toISOString(),
      title: d.title,
      text: d.text,
      source: d.source,
      url: d.url,
      sentiment: d.sentiment,
    }),
  );
  writeFileSync(path, `${lines.join("\n")}\n`);
  return lines.length;
}

for (const target of storeTargets()) {
  describe(`textkit radar (${target.dialect})`, { skip: target.skip, timeout: 120_000 }, () => {
    const root = tempDir("cli-radar");
    const dictionary = join(root.path, "tech.yaml");
    const documents = join(root.path, "docs.jsonl");
    let database: string;
    let server: RunningServer | null = null;
    const db = () => ["--database", database];

    before(async () => {
      await target.setup();
      database = await target.freshLocation();
      writeFileSync(dictionary, DEMO_DICTIONARY_YAML);
      writeDocuments(documents);
      mkdirSync(join(root.path, "models"));
    });

    after(async () => {
      await server?.close();
      await target.teardown();
      root.remove();
    });

    it("builds, shows, discovers a term and accepts it into the dictionary file", async () => {
      const built = await runCli([
        "radar",
        "build",
        "--dictionary",
        dictionary,
        "--input",
        documents,
        ...db(),
        "--json",
      ]);
      assert.equal(built.code, 0, built.stderr);
      assert.equal((JSON.parse(built.stdout) as { snapshots: number }).snapshots, 99);
      const shown = await runCli(["radar", "show", ...db()]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /\n {2}adopt\n/);
      const found = await runCli(["radar", "discover", ...db(), "--json"]);
      assert.deepEqual(
        (JSON.parse(found.stdout) as { term: string }[]).map((c) => c.term),
        ["Vexel"],
      );

      const before = readFileSync(dictionary, "utf8");
      const refused = [
        // Not a candidate, without --force.
        ["Nonesuch", "--quadrant", "tools"],
        // An alias that Kubernetes has.
        ["Vexel", "--quadrant", "tools", "--alias", "K8S"],
        // No such quadrant.
        ["Vexel", "--quadrant", "gadgets"],
      ];
      const codes = [];
      for (const args of refused) {
        const r = await runCli(["radar", "accept", ...args, "--dictionary", dictionary, ...db()]);
        assert.notEqual(r.code, 0);
        codes.push(/\[([A-Z_]+)\]/.exec(r.stderr)?.[1]);
        if (args.includes("K8S"))
          assert.match(r.stderr, /alias 'K8S' of Vexel is already an alias of Kubernetes/);
      }
      assert.deepEqual(codes, ["OPTION_INVALID", "RADAR_DICTIONARY_INVALID", "OPTION_INVALID"]);
      assert.equal(readFileSync(dictionary, "utf8"), before, "a refused accept leaves the file as it was");

      const accepted = await runCli([
        "radar",
        "accept",
        "vexel",
        "--quadrant",
        "tools",
        "--alias",
        "维克索",
        "--description",
        "a build tool for monorepos",
        "--dictionary",
        dictionary,
        ...db(),
      ]);
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.match(accepted.stdout, /added vexel to tools .*\(a candidate: \d+ documents lately/);
      const after = readFileSync(dictionary, "utf8");
      assert.ok(after.startsWith(before), "the file's own lines, comments included, are kept as written");
      const read = parseDictionary(dictionary, after);
      assert.deepEqual(read.technologies.at(-1)?.aliases, ["vexel", "维克索"]);
      assert.equal(
        read.technologies.length,
        parseDictionary("demo", DEMO_DICTIONARY_YAML).technologies.length + 1,
      );
      const twice = await runCli([
        "radar",
        "accept",
        "Vexel",
        "--quadrant",
        "tools",
        "--dictionary",
        dictionary,
        ...db(),
      ]);
      assert.notEqual(twice.code, 0);
      assert.match(twice.stderr, /'Vexel' is already the name of the technology on line \d+/);

      const rebuilt = await runCli([
        "radar",
        "build",
        "--dictionary",
        dictionary,
        "--input",
        documents,
        ...db(),
      ]);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      const blip = await runCli(["radar", "blip", "维克索", ...db(), "--json"]);
      assert.equal(blip.code, 0, blip.stderr);
      assert.equal((JSON.parse(blip.stdout) as { blip: { technology: string } }).blip.technology, "vexel");
    });

    it("makes radar keys that open the radar's routes; monitor keys pass too, predict keys do not", async () => {
      const token = async (scope: string) => {
        const r = await runCli(["keys", "create", "--name", `${scope}-app`, "--scope", scope, ...db()]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`\\(scopes: ${scope}\\)`));
        return r.stdout.trim();
      };
      const radar = await token("radar");
      const monitor = await token("monitor");
      const predict = await token("predict");
      server = await startServer({
        modelsDir: join(root.path, "models"),
        dataDir: root.path,
        database,
        port: 0,
        auth: "on",
        watchIntervalMs: 0,
        logger: false,
      });
      await server.whenReady();
      const url = server.url;
      const as = async (key: string | null, path = "/v1/radar") =>
        (await call(`${url}${path}`, key === null ? {} : { headers: { authorization: `Bearer ${key}` } }))
          .status;
      assert.equal(await as(radar), 200);
      assert.equal(await as(radar, "/v1/radar/technologies/Quillstack"), 200);
      assert.equal(await as(monitor), 200);
      assert.equal(await as(predict), 403);
      assert.equal(await as(null), 401);
      // The radar scope is the radar's alone: it opens no monitor route.
      assert.equal(await as(radar, "/v1/monitor/status"), 403);
    });
  });
}
