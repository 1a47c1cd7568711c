/**
 * The whole build on the demo corpus: each planted story comes out (the riser moves inward,
 * the decliner outward, the incident raises r and fires an alert, the enterprise database
 * holds a high m), the forecast has ordered bands, discovery proposes the new term, and a
 * profile gets suggestions with reasons, or a coded error with its line.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { buildRadar, findingsOf, type RadarBuild } from "./build.ts";
import { DEMO_DICTIONARY_YAML, demoCorpus } from "./demo-corpus.ts";
import { parseDictionary } from "./dictionary.ts";
import { parseProfile, suggest } from "./suggest.ts";

const RING = ["adopt", "trial", "assess", "hold"];
const rank = (ring: string | null) => (ring === null ? 4 : RING.indexOf(ring));

describe("radar on the demo corpus", () => {
  let radar: RadarBuild;
  const dictionary = parseDictionary("demo.yaml", DEMO_DICTIONARY_YAML);
  const timeline = (name: string) => {
    const t = dictionary.technologies.findIndex((x) => x.name === name);
    return radar.snapshots.map((s) => s.blips[t]!);
  };
  const at = (name: string, label: string) =>
    timeline(name)[radar.snapshots.findIndex((s) => s.label === label)]!;

  before(async () => {
    radar = await buildRadar(demoCorpus(), dictionary, { now: Date.UTC(2027, 0, 4) });
  });

  it("has weekly snapshots over the two years", () => {
    assert.equal(radar.periods.length, 104);
    assert.equal(radar.snapshots.length, 104 - 5);
    assert.ok(radar.documents > 10_000);
  });

  it("moves the fast riser (Quillstack) inward", () => {
    const early = at("Quillstack", "2025-W40");
    const late = timeline("Quillstack").at(-1)!;
    assert.ok(rank(late.ring) < rank(early.ring), `${early.ring} -> ${late.ring}`);
    assert.equal(late.ring, "adopt");
    assert.ok(timeline("Quillstack").some((b) => b.movement === "in"));
    assert.ok(at("Quillstack", "2026-W10").g! > 0.6, "it grows in 2026");
  });

  it("moves the decliner (Brightforms) outward until it has too little data", () => {
    const early = at("Brightforms", "2025-W20");
    const late = timeline("Brightforms").at(-1)!;
    assert.ok(rank(late.ring) > rank(early.ring), `${early.ring} -> ${late.ring}`);
    assert.equal(late.status, "insufficient");
    assert.match(late.reason!, /mentions/);
    assert.ok(timeline("Brightforms").some((b) => b.movement === "out" || b.movement === "gone"));
  });

  it("raises r for the incident (Corvid MQ), with security as its worst risk, and fires an alert", () => {
    const before = at("Corvid MQ", "2026-W36");
    const during = at("Corvid MQ", "2026-W44");
    assert.ok(before.r! < 0.15, `r before ${before.r}`);
    assert.ok(during.r! > 0.4 && during.r! > 3 * before.r!, `r during ${during.r}`);
    assert.ok(rank(during.ring) > rank(before.ring), `${before.ring} -> ${during.ring}`);
    assert.equal(during.risk!.worst, "security");
    const cell = during.risk!.cells.find((c) => c.category === "security")!;
    assert.ok(cell.likelihoodLevel >= 3 && cell.impactLevel >= 4, JSON.stringify(cell));
    const upTo = radar.snapshots.findIndex((s) => s.label === "2026-W42");
    const fired = radar.snapshots
      .slice(0, upTo + 1)
      .flatMap((_, k) => findingsOf(radar.snapshots.slice(0, k + 1), radar.settings))
      .filter((f) => f.technology === "Corvid MQ" && f.kind === "risk_jumped");
    assert.ok(fired.length >= 1, "a risk_jumped finding");
  });

  it("keeps the enterprise database (Ledgerline) in adopt with a high market impact", () => {
    const late = timeline("Ledgerline").slice(-20);
    assert.ok(
      late.every((b) => b.ring === "adopt"),
      late.map((b) => b.ring).join(","),
    );
    const others = radar.snapshots.at(-1)!.blips.filter((b) => b.technology !== "Ledgerline" && b.m !== null);
    assert.ok(others.every((b) => b.m! < late.at(-1)!.m!));
    assert.ok(late.at(-1)!.market!.share > 0.5);
  });

  it("forecasts mentions with ordered P10/P50/P90 bands and a ring-change probability", () => {
    for (const blip of radar.snapshots.at(-1)!.blips) {
      if (blip.status !== "scored") {
        assert.equal(blip.forecast, null);
        continue;
      }
      const f = blip.forecast!;
      assert.equal(f.p50.length, radar.settings.horizon);
      for (let h = 0; h < f.p50.length; h++) assert.ok(f.p10[h]! <= f.p50[h]! && f.p50[h]! <= f.p90[h]!);
      assert.ok(f.ringChange >= 0 && f.ringChange <= 1);
    }
  });

  it("proposes the new term for the dictionary", () => {
    assert.ok(
      radar.discovery.some((c) => c.term === "Vexel"),
      JSON.stringify(radar.discovery),
    );
  });

  it("suggests what to learn with reasons; related skills make the riser quicker", () => {
    const fresh = parseProfile("me.yaml", "hoursPerWeek: 5\nskills: []\n", radar);
    const web = parseProfile(
      "me.yaml",
      "hoursPerWeek: 5\nskills:\n  - { name: TypeScript, level: 4 }\n  - { name: react, level: 4 }\n",
      radar,
    );
    const quill = (list: ReturnType<typeof suggest>) => list.find((s) => s.technology === "Quillstack")!;
    const a = quill(suggest(radar, fresh));
    const b = quill(suggest(radar, web));
    assert.ok(b.weeks < a.weeks && b.l > a.l && b.e > a.e, `${a.weeks} -> ${b.weeks}`);
    assert.deepEqual(b.helpedBy.map((h) => h.skill).sort(), ["React", "TypeScript"]);
    assert.ok(b.reasons.some((r) => /TypeScript/.test(r)));
    close(b.e, b.g * b.m * (1 - b.r) * b.l);
    const list = suggest(radar, web);
    for (let k = 1; k < list.length; k++) assert.ok(list[k - 1]!.e >= list[k]!.e);
  });

  it("refuses a profile naming an unknown skill or a bad level, with the line", () => {
    for (const [text, line, pattern] of [
      ["hoursPerWeek: 5\nskills:\n  - { name: COBOL, level: 3 }\n", 3, /'COBOL' is not a technology/],
      ["hoursPerWeek: 5\nskills:\n  - name: Rust\n    level: 9\n", 4, /from 0 to 5/],
      ["hoursPerWeek: 0\n", 1, /above 0/],
    ] as const) {
      assert.throws(
        () => parseProfile("me.yaml", text, radar),
        (e: unknown) =>
          isTextkitError(e) &&
          e.code === "RADAR_PROFILE_INVALID" &&
          e.line === line &&
          pattern.test(e.message),
      );
    }
  });
});

function close(a: number, b: number): void {
  assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
}
