/**
 * What to learn next: every scored blip of a snapshot ranked by E = g·m·(1 − r)·l for one
 * skill profile, with the reasons behind each factor and the weeks to proficiency. The
 * profile (YAML or JSON) names known skills with levels 0..5 and the hours a week the person
 * can study; its skills must be technologies of the radar.
 */
import { TextkitError } from "../../core/index.ts";
import type { Blip, RadarBuild, Snapshot } from "./build.ts";
import { normalizeAlias } from "./dictionary.ts";
import { learningEffect } from "./signals.ts";
import { type Located, YamlSource } from "./yaml-source.ts";

export interface ProfileSkill {
  /** The technology's name as the dictionary writes it. */
  name: string;
  level: number;
}

export interface SkillProfile {
  hoursPerWeek: number;
  /** Weeks over which learning is valued (default 12). */
  horizonWeeks: number;
  skills: ProfileSkill[];
}

export const DEFAULT_HORIZON_WEEKS = 12;
export const MAX_LEVEL = 5;

function resolveSkill(name: string, radar: Pick<RadarBuild, "technologies">): string | undefined {
  const wanted = normalizeAlias(name).toLowerCase();
  return radar.technologies.find((t) => t.aliases.some((a) => normalizeAlias(a).toLowerCase() === wanted))
    ?.name;
}

function skillFrom(item: Located, radar: Pick<RadarBuild, "technologies">): ProfileSkill {
  const nameNode = item.get("name");
  const written = nameNode.string();
  const name = resolveSkill(written, radar);
  if (name === undefined) {
    const known = radar.technologies.map((t) => t.name).join(", ");
    throw nameNode.error(`'${written}' is not a technology of the radar (known: ${known})`);
  }
  const levelNode = item.get("level");
  const level = levelNode.number();
  if (!(level >= 0 && level <= MAX_LEVEL))
    throw levelNode.error(`must be from 0 to ${MAX_LEVEL}, got ${level}`);
  return { name, level };
}

/**
 * Reads a profile from YAML or JSON text, checking its skills against the radar's technologies.
 *
 * @example
 * parseProfile("me.yaml", "hoursPerWeek: 5\nskills:\n  - { name: TypeScript, level: 4 }\n", radar);
 */
export function parseProfile(
  path: string,
  text: string,
  radar: Pick<RadarBuild, "technologies">,
): SkillProfile {
  return profileFrom(new YamlSource(path, "RADAR_PROFILE_INVALID", text), radar);
}

/** Reads a profile file. */
export function readProfile(path: string, radar: Pick<RadarBuild, "technologies">): SkillProfile {
  return profileFrom(YamlSource.read(path, "RADAR_PROFILE_INVALID"), radar);
}

function profileFrom(source: YamlSource, radar: Pick<RadarBuild, "technologies">): SkillProfile {
  const root = source.root;
  for (const { key, line } of root.keys()) {
    if (!["hoursPerWeek", "horizonWeeks", "skills"].includes(key)) {
      throw source.error(line, `unknown key '${key}' (known: hoursPerWeek, horizonWeeks, skills)`);
    }
  }
  const hoursNode = root.get("hoursPerWeek");
  const hoursPerWeek = hoursNode.number();
  if (!(hoursPerWeek > 0 && hoursPerWeek <= 100)) throw hoursNode.error("must be above 0 and at most 100");
  const horizonNode = root.get("horizonWeeks");
  const horizonWeeks = horizonNode.number(DEFAULT_HORIZON_WEEKS);
  if (!(horizonWeeks > 0)) throw horizonNode.error("must be above 0");
  const skills: ProfileSkill[] = [];
  for (const item of root.get("skills").items()) {
    const skill = skillFrom(item, radar);
    if (skills.some((s) => s.name === skill.name)) throw item.error(`${skill.name} is listed twice`);
    skills.push(skill);
  }
  return { hoursPerWeek, horizonWeeks, skills };
}

/**
 * A profile sent as JSON (an API body): the same checks as a file, with JSON pointers
 * (`/profile/skills/2/name`) in place of lines.
 */
export function profileFromObject(
  value: { hoursPerWeek: number; horizonWeeks?: number; skills: readonly { name: string; level: number }[] },
  radar: Pick<RadarBuild, "technologies">,
  pointer = "/profile",
): SkillProfile {
  const invalid = (field: string, message: string) =>
    new TextkitError("RADAR_PROFILE_INVALID", `${field.slice(1)}: ${message}`, { details: { field } });
  if (!(value.hoursPerWeek > 0 && value.hoursPerWeek <= 100)) {
    throw invalid(`${pointer}/hoursPerWeek`, "must be above 0 and at most 100");
  }
  const horizonWeeks = value.horizonWeeks ?? DEFAULT_HORIZON_WEEKS;
  if (!(horizonWeeks > 0)) throw invalid(`${pointer}/horizonWeeks`, "must be above 0");
  const skills: ProfileSkill[] = [];
  value.skills.forEach((skill, i) => {
    const name = resolveSkill(skill.name, radar);
    if (name === undefined) {
      throw invalid(`${pointer}/skills/${i}/name`, `'${skill.name}' is not a technology of the radar`);
    }
    if (!(skill.level >= 0 && skill.level <= MAX_LEVEL)) {
      throw invalid(`${pointer}/skills/${i}/level`, `must be from 0 to ${MAX_LEVEL}, got ${skill.level}`);
    }
    if (skills.some((s) => s.name === name))
      throw invalid(`${pointer}/skills/${i}/name`, `${name} is listed twice`);
    skills.push({ name, level: skill.level });
  });
  return { hoursPerWeek: value.hoursPerWeek, horizonWeeks, skills };
}

export interface Suggestion {
  technology: string;
  quadrant: string;
  ring: string | null;
  /** g·m·(1 − r)·l. */
  e: number;
  g: number;
  m: number;
  r: number;
  l: number;
  /** Weeks to proficiency at the profile's hours. */
  weeks: number;
  /** How much faster related skills make it (1 = no help). */
  speed: number;
  /** Known skills that help, strongest first. */
  helpedBy: { skill: string; level: number; strength: number }[];
  reasons: string[];
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function reasonsOf(blip: Blip, s: Omit<Suggestion, "reasons">, profile: SkillProfile): string[] {
  const out: string[] = [];
  const growth = blip.growth!;
  const perPeriod = Math.exp(growth.weightedSlope) - 1;
  out.push(
    `growth g ${s.g.toFixed(2)}: its share of documents ${perPeriod >= 0 ? "grows" : "shrinks"} ${pct(Math.abs(perPeriod))} a period (recency-weighted)`,
  );
  const market = blip.market!;
  out.push(
    `market m ${s.m.toFixed(2)} (P10 ${market.p10.toFixed(2)}, P90 ${market.p90.toFixed(2)}): ${pct(market.share)} of its mentions speak of customers, money or deals`,
  );
  const risk = blip.risk!;
  out.push(
    s.r < 0.05
      ? `risk r ${s.r.toFixed(2)}: little talk of risk`
      : `risk r ${s.r.toFixed(2)}, mostly ${risk.worst}`,
  );
  if (s.helpedBy.length > 0) {
    const names = s.helpedBy.slice(0, 3).map((h) => `${h.skill} (level ${h.level})`);
    out.push(
      `your ${names.join(", ")} ${s.helpedBy.length === 1 ? "is" : "are"} often mentioned with it: ${s.speed.toFixed(1)}x faster to learn`,
    );
  }
  out.push(
    `about ${Math.max(1, Math.round(s.weeks))} weeks to proficiency at ${profile.hoursPerWeek} h a week`,
  );
  return out;
}

/**
 * The profile's suggestions from a snapshot (the latest by default), best E first; blips
 * without enough data and skills already at the top level are left out.
 *
 * @example
 * suggest(radar, profile).slice(0, 3).map((s) => [s.technology, s.e, s.weeks]);
 */
export function suggest(radar: RadarBuild, profile: SkillProfile, snapshot?: Snapshot): Suggestion[] {
  const shot = snapshot ?? radar.snapshots[radar.snapshots.length - 1];
  if (shot === undefined) {
    throw new TextkitError(
      "RADAR_NOT_BUILT",
      "the radar has no snapshot yet: it needs more periods of documents",
    );
  }
  const strength = new Map<string, number>();
  for (const edge of radar.graph) {
    strength.set(`${edge.a}\u0000${edge.b}`, edge.strength);
    strength.set(`${edge.b}\u0000${edge.a}`, edge.strength);
  }
  const levels = new Map(profile.skills.map((s) => [s.name, s.level]));
  const out: Suggestion[] = [];
  shot.blips.forEach((blip, t) => {
    if (blip.status !== "scored") return;
    const own = levels.get(blip.technology) ?? 0;
    if (own >= MAX_LEVEL) return;
    const helpedBy = profile.skills
      .filter((s) => s.name !== blip.technology && s.level > 0)
      .map((s) => ({
        skill: s.name,
        level: s.level,
        strength: strength.get(`${s.name}\u0000${blip.technology}`) ?? 0,
      }))
      .filter((h) => h.strength > 0)
      .sort((a, b) => b.strength * b.level - a.strength * a.level);
    const related = Math.min(
      1,
      helpedBy.reduce((a, h) => a + (h.level / MAX_LEVEL) * h.strength, 0),
    );
    const learning = learningEffect({
      effortHours: radar.technologies[t]!.effortHours,
      ownLevel: own,
      hoursPerWeek: profile.hoursPerWeek,
      related,
      horizonWeeks: profile.horizonWeeks,
    });
    const g = blip.g!;
    const m = blip.m!;
    const r = blip.r!;
    const base = {
      technology: blip.technology,
      quadrant: blip.quadrant,
      ring: blip.ring,
      e: g * m * (1 - r) * learning.l,
      g,
      m,
      r,
      l: learning.l,
      weeks: learning.weeks,
      speed: learning.speed,
      helpedBy,
    };
    out.push({ ...base, reasons: reasonsOf(blip, base, profile) });
  });
  out.sort((a, b) => b.e - a.e || a.technology.localeCompare(b.technology));
  return out;
}
