/**
 * The radar read from the database as text or JSON: `textkit radar show` (the rings at a
 * date), `blip` (one technology's scores, forecast, history and evidence), `compare` (two
 * dates) and `suggest` (what to learn next for a skill profile).
 */
import {
  type Blip,
  compareSnapshots,
  type RadarBuild,
  readProfile,
  suggest,
  timelineOf,
} from "../apps/radar/index.ts";
import { TextkitError } from "../core/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { ARROW, type DatabaseFlags, fmt, withStore } from "./radar-common.ts";

/** The rings of one snapshot as text, quadrant by quadrant. */
export function describeSnapshot(
  radar: Pick<RadarBuild, "quadrants" | "rings">,
  blips: readonly Blip[],
  label: string,
): string {
  const lines = [`radar ${label}   (★ new, ▲ moved in, ▼ moved out, ✕ gone; score = g·m·(1 − r))`];
  for (const quadrant of radar.quadrants) {
    lines.push("", quadrant);
    for (const ring of radar.rings) {
      const here = blips.filter((b) => b.quadrant === quadrant && b.ring === ring.name);
      if (here.length === 0) continue;
      lines.push(`  ${ring.name}`);
      for (const b of here.sort((x, y) => (y.score ?? 0) - (x.score ?? 0))) {
        const by = b.override === null ? "" : `  [set by ${b.override.by}: ${b.override.why}]`;
        lines.push(
          `    ${ARROW[b.movement]} ${b.technology.padEnd(22)} score ${fmt(b.score, 3)}  g ${fmt(b.g)} m ${fmt(b.m)} r ${fmt(b.r)}  ${String(b.mentions).padStart(5)} mentions${by}`,
        );
      }
    }
    const none = blips.filter((b) => b.quadrant === quadrant && b.ring === null);
    for (const b of none)
      lines.push(`  ${ARROW[b.movement]} ${b.technology}: not enough data (${b.reason ?? "no score"})`);
  }
  return `${lines.join("\n")}\n`;
}

export async function runShow(flags: DatabaseFlags & { date?: number }, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const snapshot = await store.snapshotAt(flags.date);
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ quadrants: summary.quadrants, rings: summary.rings, snapshot })}\n`,
      );
      return;
    }
    await writeAll(io.stdout, describeSnapshot(summary, snapshot.blips, snapshot.label));
  });
}

export async function runBlip(name: string, flags: DatabaseFlags, io: CliIo): Promise<void> {
  await withStore(flags, async (store) => {
    const radar = await store.load();
    const wanted = name.toLowerCase();
    const t = radar.technologies.findIndex((x) => x.aliases.some((a) => a.toLowerCase() === wanted));
    if (t === -1)
      throw new TextkitError("RADAR_UNKNOWN_TECHNOLOGY", `'${name}' is not a technology of the radar`);
    const blip = radar.snapshots.at(-1)?.blips[t];
    if (blip === undefined) throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot yet");
    const timeline = timelineOf(radar.snapshots, t);
    if (flags.json === true) {
      await writeAll(
        io.stdout,
        `${JSON.stringify({ blip, timeline, evidence: radar.evidence[blip.technology] })}\n`,
      );
      return;
    }
    const lines = [
      `${blip.technology} (${blip.quadrant}): ${blip.ring ?? "no ring"}${blip.status === "insufficient" ? `, not enough data: ${blip.reason}` : ""}`,
    ];
    if (blip.status === "scored") {
      const g = blip.growth!;
      lines.push(
        `  score g·m·(1 − r) = ${fmt(blip.g)} · ${fmt(blip.m)} · (1 − ${fmt(blip.r)}) = ${fmt(blip.score, 3)}`,
        `  g: share slope ${g.slope.toFixed(3)} ± ${g.slopeStandardError.toFixed(3)} a period (R² ${g.r2.toFixed(2)}), recency-weighted ${g.weightedSlope.toFixed(3)}`,
        `  m: market share of mentions ${blip.market!.share.toFixed(2)}, presence ${blip.market!.presence.toFixed(2)}; Monte Carlo P10 ${blip.market!.p10.toFixed(2)}, P90 ${blip.market!.p90.toFixed(2)}`,
        `  r: ${blip.risk!.cells.map((c) => `${c.category} L${c.likelihoodLevel}×I${c.impactLevel} (${c.score.toFixed(2)})`).join(", ")}`,
        `  sentiment: ${blip.sentiment.negative} negative, ${blip.sentiment.positive} positive of ${blip.sentiment.rated} rated`,
      );
      if (blip.forecast !== null) {
        const f = blip.forecast;
        lines.push(
          `  forecast of mentions: ${f.p50.map((v, h) => `${v.toFixed(1)} [${f.p10[h]!.toFixed(1)}–${f.p90[h]!.toFixed(1)}]`).join(", ")}`,
          `  probability of another ring next period: ${(100 * f.ringChange).toFixed(0)}%`,
        );
      }
    }
    lines.push(
      `  rings: ${timeline
        .filter((p, k) => k === 0 || p.movement !== "none")
        .map((p) => `${p.label} ${p.ring ?? "-"}`)
        .join(" → ")}`,
    );
    for (const e of radar.evidence[blip.technology] ?? []) {
      lines.push(
        `  · ${new Date(e.time).toISOString().slice(0, 10)} ${e.source}: ${e.title}${e.risks.length > 0 ? ` [${e.risks.join(", ")}]` : ""}`,
      );
    }
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

export async function runSuggest(
  flags: DatabaseFlags & { profile: string; limit: number; date?: number },
  io: CliIo,
): Promise<void> {
  await withStore(flags, async (store) => {
    const radar = await store.load();
    const profile = readProfile(flags.profile, radar);
    const shot =
      flags.date === undefined
        ? radar.snapshots.at(-1)
        : radar.snapshots.filter((s) => s.period <= flags.date!).at(-1);
    if (shot === undefined)
      throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot at that date");
    const list = suggest(radar, profile, shot).slice(0, flags.limit);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ snapshot: shot.label, suggestions: list })}\n`);
      return;
    }
    const lines = [`what to learn next (${shot.label}), by E = g·m·(1 − r)·l:`];
    list.forEach((s, k) => {
      lines.push(
        `${String(k + 1).padStart(2)}. ${s.technology} (${s.ring ?? "no ring"})  E ${s.e.toFixed(3)}  ~${Math.max(1, Math.round(s.weeks))} weeks`,
      );
      for (const r of s.reasons) lines.push(`      ${r}`);
    });
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}

export async function runCompare(
  flags: DatabaseFlags & { from: number; to?: number },
  io: CliIo,
): Promise<void> {
  await withStore(flags, async (store) => {
    const summary = await store.summary();
    const from = await store.snapshotAt(flags.from);
    const to = await store.snapshotAt(flags.to);
    const changes = compareSnapshots(summary, from, to);
    if (flags.json === true) {
      await writeAll(io.stdout, `${JSON.stringify({ from: from.label, to: to.label, changes })}\n`);
      return;
    }
    const lines = [`${from.label} → ${to.label}`];
    for (const c of changes)
      lines.push(
        `  ${ARROW[c.movement]} ${c.technology.padEnd(22)} ${(c.from ?? "-").padEnd(8)} → ${c.to ?? "-"}`,
      );
    await writeAll(io.stdout, `${lines.join("\n")}\n`);
  });
}
