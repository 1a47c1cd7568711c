/**
 * Slots: the values an answer template needs ({amount}, {date}), found in a customer's
 * message by the entity tagger (a slot with an entity type) or by a pattern, and kept for
 * the rest of the conversation. Two slots of one entity type (from and to cities) take the
 * entities in the order they appear.
 */
import type { SlotSpec } from "./knowledge.ts";

export interface FoundEntity {
  text: string;
  label: string;
  start: number;
  end: number;
}

export type SlotValues = Record<string, string>;

const compiled = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(source, "iu");
    compiled.set(source, re);
  }
  return re;
}

/**
 * The slots `message` fills, given the values known already (which it may replace with a
 * new value it states).
 *
 * @example
 * fillSlots(slots, "send $50 to savings", [{ text: "$50", label: "MONEY", start: 5, end: 8 }], {});
 * // { amount: "$50", account: "savings" }
 */
export function fillSlots(
  specs: readonly SlotSpec[],
  message: string,
  entities: readonly FoundEntity[],
  known: SlotValues,
): SlotValues {
  const out: SlotValues = { ...known };
  const used = new Set<FoundEntity>();
  for (const spec of specs) {
    if (spec.entity !== null) {
      const e = entities.find((x) => x.label === spec.entity && !used.has(x));
      if (e !== undefined) {
        used.add(e);
        out[spec.name] = e.text;
      }
    } else if (spec.pattern !== null) {
      const m = patternOf(spec.pattern).exec(message);
      if (m !== null) {
        const value = (m[1] ?? m[0]).trim();
        if (value !== "") out[spec.name] = value;
      }
    }
  }
  return out;
}

/** The first required slot without a value (optional ones take their default). */
export function missingSlot(specs: readonly SlotSpec[], values: SlotValues): SlotSpec | null {
  for (const spec of specs)
    if (values[spec.name] === undefined && !spec.optional && spec.default === null) return spec;
  return null;
}

/** The template with its slots filled ({name} replaced by the value, or the slot's default). */
export function renderAnswer(template: string, specs: readonly SlotSpec[], values: SlotValues): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, raw: string) => {
    const name = raw.trim();
    const spec = specs.find((s) => s.name === name);
    return values[name] ?? spec?.default ?? whole;
  });
}
