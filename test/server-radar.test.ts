/**
 * The radar's routes on a real server over loopback, against SQLite and a real PostgreSQL
 * server: the radar at a date, a technology's detail, two dates compared, suggestions with
 * their reasons, an override that moves a blip, BYOR export and import, and 4xx answers
 * naming the field for bad input. The radar's findings go through the monitor's alert store
 * (once per cooldown).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MonitorStore } from "../src/apps/monitor/index.ts";
import {
  buildRadar,
  DEMO_DICTIONARY_YAML,
  demoCorpus,
  parseDictionary,
  type RadarBuild,
  RadarStore,
} from "../src/apps/radar/index.ts";
import { fireRadarAlerts, type RunningServer, startServer } from "../src/server/index.ts";
import { type Database, openDatabase } from "../src/store/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { storeTargets } from "./support/postgres.ts";

const dictionary = parseDictionary("demo.yaml", DEMO_DICTIONARY_YAML);

for (const target of storeTargets()) {
  describe(`radar routes (${target.dialect})`, { skip: target.skip }, () => {
    const root = tempDir("server-radar");
    let server: RunningServer;
    let db: Database;
    let radar: RadarBuild;
    let base: string;

    before(async () => {
      await target.setup();
      const location = await target.freshLocation();
      db = await openDatabase(location);
      radar = await buildRadar(demoCorpus({ weeks: 60, scale: 1.5 }), dictionary, { now: 1 });
      await (await RadarStore.open(db)).save(radar);
      mkdirSync(join(root.path, "models"), { recursive: true });
      server = await startServer({
        modelsDir: join(root.path, "models"),
        dataDir: root.path,
        database: location,
        port: 0,
        auth: "off",
        watchIntervalMs: 0,
        logger: false,
      });
      await server.whenReady();
      base = `${server.url}/v1/radar`;
    });

    after(async () => {
      await server?.close();
      await db?.close();
      await target.teardown();
      root.remove();
    });

    it("serves the radar at a date, with its rings and every blip's breakdown", async () => {
      const latest = await call(base);
      assert.equal(latest.status, 200);
      const body = latest.body as {
        snapshot: { label: string; blips: { technology: string; ring: string | null; g: number | null }[] };
        rings: { name: string }[];
      };
      assert.equal(body.snapshot.label, radar.snapshots.at(-1)!.label);
      assert.deepEqual(
        body.rings.map((r) => r.name),
        ["adopt", "trial", "assess", "hold"],
      );
      assert.equal(body.snapshot.blips.length, dictionary.technologies.length);
      const older = await call(`${base}?date=2025-06-04`);
      assert.equal((older.body as { snapshot: { label: string } }).snapshot.label, "2025-W23");
      const bad = await call(`${base}?date=someday`);
      assert.equal(bad.status, 400);
      assert.equal(errorOf(bad).field, "/date");
      const early = await call(`${base}?date=2024-01-01`);
      assert.equal(early.status, 404);
      assert.equal(errorOf(early).code, "RADAR_NOT_BUILT");
    });

    it("details one technology, by name or alias", async () => {
      const res = await call(`${base}/technologies/${encodeURIComponent("羽栈")}`);
      assert.equal(res.status, 200);
      const body = res.body as {
        technology: { name: string };
        timeline: unknown[];
        series: { mentions: number[] };
        evidence: unknown[];
        related: { technology: string }[];
      };
      assert.equal(body.technology.name, "Quillstack");
      assert.equal(body.timeline.length, radar.snapshots.length);
      assert.equal(body.series.mentions.length, radar.periods.length);
      assert.ok(body.evidence.length > 0);
      assert.ok(body.related.some((r) => r.technology === "TypeScript"));
      const missing = await call(`${base}/technologies/COBOL`);
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing).code, "RADAR_UNKNOWN_TECHNOLOGY");
    });

    it("compares two dates and suggests what to learn, refusing unknown skills", async () => {
      const cmp = await call(`${base}/compare?from=2025-04-01&to=2026-02-01`);
      assert.equal(cmp.status, 200);
      assert.equal((cmp.body as { changes: unknown[] }).changes.length, dictionary.technologies.length);
      const ok = await call(`${base}/suggest`, {
        body: { profile: { hoursPerWeek: 5, skills: [{ name: "TypeScript", level: 4 }] }, limit: 3 },
      });
      assert.equal(ok.status, 200);
      const list = (ok.body as { suggestions: { technology: string; e: number; reasons: string[] }[] })
        .suggestions;
      assert.equal(list.length, 3);
      assert.ok(list[0]!.e >= list[1]!.e && list[0]!.reasons.length >= 3);
      const unknown = await call(`${base}/suggest`, {
        body: { profile: { hoursPerWeek: 5, skills: [{ name: "COBOL", level: 2 }] } },
      });
      assert.equal(unknown.status, 400);
      assert.equal(errorOf(unknown).code, "RADAR_PROFILE_INVALID");
      assert.equal(errorOf(unknown).field, "/profile/skills/0/name");
      const level = await call(`${base}/suggest`, {
        body: { profile: { hoursPerWeek: 5, skills: [{ name: "Rust", level: 7 }] } },
      });
      assert.equal(level.status, 400);
    });

    it("takes a pasted profile file, naming the line of a mistake, and documents its answers", async () => {
      const pasted = await call(`${base}/suggest`, {
        body: { profileText: "hoursPerWeek: 5\nskills:\n  - { name: TypeScript, level: 4 }\n", limit: 2 },
      });
      assert.equal(pasted.status, 200);
      assert.equal((pasted.body as { suggestions: unknown[] }).suggestions.length, 2);
      const wrong = await call(`${base}/suggest`, {
        body: { profileText: "hoursPerWeek: 5\nskills:\n  - { name: COBOL, level: 4 }\n" },
      });
      assert.equal(wrong.status, 400);
      assert.equal(errorOf(wrong).code, "RADAR_PROFILE_INVALID");
      assert.match(
        errorOf(wrong).message ?? "",
        /'COBOL' is not a technology of the radar .*\(line 3 of the pasted profile\)$/,
      );
      assert.equal(errorOf(wrong).field, "/profileText");
      const both = await call(`${base}/suggest`, {
        body: { profileText: "hoursPerWeek: 5\nskills: []\n", profile: { hoursPerWeek: 5, skills: [] } },
      });
      assert.equal(both.status, 400);
      assert.equal(errorOf(both).field, "/profile");

      const doc = (await call(`${server.url}/openapi.json`)).body as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
        >;
      };
      const answer = (path: string, method: string) =>
        JSON.stringify(doc.paths[path]?.[method]?.responses["200"]?.content["application/json"]?.schema) ??
        "";
      for (const field of ['"weightedSlope"', '"likelihoodLevel"', '"ringChange"', '"movement"']) {
        assert.ok(
          answer("/v1/radar", "get").includes(field),
          `${field} in ${Object.keys(doc.paths).join(" ")}`,
        );
      }
      assert.match(answer("/v1/radar/suggest", "post"), /"helpedBy"/);
      assert.match(answer("/v1/radar/technologies/{name}", "get"), /"evidence".*"url"/);
    });

    it("records an override and moves the blip at once", async () => {
      const res = await call(`${base}/overrides`, {
        body: { technology: "Terraform", ring: "adopt", why: "platform standard", by: "ana" },
      });
      assert.equal(res.status, 200);
      const after = (await call(base)).body as {
        snapshot: { blips: { technology: string; ring: string; override: { by: string } | null }[] };
      };
      const blip = after.snapshot.blips.find((b) => b.technology === "Terraform")!;
      assert.equal(blip.ring, "adopt");
      assert.equal(blip.override?.by, "ana");
      const list = (await call(`${base}/overrides`)).body as { overrides: { why: string }[] };
      assert.deepEqual(
        list.overrides.map((o) => o.why),
        ["platform standard"],
      );
      const bad = await call(`${base}/overrides`, {
        body: { technology: "Terraform", ring: "maybe", why: "x" },
      });
      assert.equal(bad.status, 400);
      assert.equal(errorOf(bad).field, "/ring");
    });

    it("exports and imports Build-Your-Own-Radar CSV and JSON", async () => {
      const csv = await fetch(`${base}/export?format=csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      const text = await csv.text();
      assert.match(text, /^name,ring,quadrant,isNew,description\n/);
      assert.match(text, /\nTerraform,adopt,tools,(TRUE|FALSE),/);
      const json = await call(`${base}/export?format=json`);
      assert.ok(Array.isArray(json.body));
      const edited = text.replace(/\nTerraform,adopt,/, "\nTerraform,hold,");
      const cmp = await call(`${base}/import`, { body: { content: edited, name: "byor.csv" } });
      assert.equal(cmp.status, 200);
      const row = (
        cmp.body as { comparison: { name: string; theirs: string; ours: string; difference: number }[] }
      ).comparison.find((c) => c.name === "Terraform")!;
      assert.deepEqual([row.theirs, row.ours, row.difference], ["hold", "adopt", -3]);
      const broken = await call(`${base}/import`, {
        body: { content: "name,ring\nX,adopt\n", name: "byor.csv" },
      });
      assert.equal(broken.status, 400);
      assert.equal(errorOf(broken).code, "RADAR_BAD_IMPORT");
    });

    it("fires the radar's findings as monitor alerts, once per cooldown", async () => {
      const withFinding: RadarBuild = {
        ...radar,
        findings: [
          {
            kind: "risk_jumped",
            technology: "Corvid MQ",
            message: "risk of Corvid MQ jumped",
            value: 0.6,
            previous: 0.05,
          },
        ],
      };
      const first = await fireRadarAlerts(db, withFinding, {
        webhooks: ["http://127.0.0.1:9/hook"],
        now: 1_000,
      });
      assert.equal(first.length, 1);
      assert.equal(first[0]!.kind, "radar_risk_jumped");
      assert.equal(first[0]!.deliveries.length, 1);
      assert.deepEqual(await fireRadarAlerts(db, withFinding, { webhooks: [], now: 2_000 }), []);
      const alerts = await (await MonitorStore.open(db)).alerts({ limit: 10 });
      assert.deepEqual(
        alerts.map((a) => [a.kind, a.topic]),
        [["radar_risk_jumped", "Corvid MQ"]],
      );
    });
  });
}
