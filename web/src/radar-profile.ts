/**
 * The skill profile of the Radar page's suggestions panel: known skills typed as
 * "TypeScript:4, Rust:1" with the hours a week, or a whole profile file (YAML or JSON, as
 * `textkit radar suggest --profile` reads) pasted in; the server checks the skills against
 * the radar and answers with the field or line of a mistake.
 */
import { ApiError } from "./api.ts";
import { h } from "./dom.ts";

/** What the suggest route takes for the profile: the fields, or the pasted text. */
export type ProfileRequest =
  | { profile: { hoursPerWeek: number; skills: { name: string; level: number }[] } }
  | { profileText: string };

const invalid = (message: string, field: string) =>
  new ApiError(
    400,
    "RADAR_PROFILE_INVALID",
    message,
    "Write skills as name:level, levels 0 to 5, separated by commas.",
    field,
  );

/**
 * Reads "TypeScript:4, Rust 2, Go" (level 3 when left out) into skills.
 *
 * @example
 * parseSkills("TypeScript:4, Go"); // [{ name: "TypeScript", level: 4 }, { name: "Go", level: 3 }]
 */
export function parseSkills(text: string): { name: string; level: number }[] {
  const out: { name: string; level: number }[] = [];
  for (const part of text.split(/[,，;\n]/)) {
    const item = part.trim();
    if (item === "") continue;
    const match = /^(.*?)[\s:=]+(\d+(?:\.\d+)?)$/.exec(item);
    const name = (match?.[1] ?? item).trim();
    const level = match?.[2] === undefined ? 3 : Number(match[2]);
    if (name === "") throw invalid(`'${item}' names no skill`, "skills");
    if (!(level >= 0 && level <= 5))
      throw invalid(`the level of ${name} must be from 0 to 5, got ${level}`, "skills");
    out.push({ name, level });
  }
  return out;
}

/** The panel's inputs and what they make. */
export class ProfileForm {
  readonly hours = h("input", {
    testId: "profile-hours",
    attrs: { type: "number", min: "0.5", max: "100", step: "0.5", value: "5", "aria-label": "Hours a week" },
  });
  readonly skills = h("input", {
    testId: "profile-skills",
    attrs: { type: "text", placeholder: "TypeScript:4, Rust:1", "aria-label": "Known skills" },
  });
  readonly text = h("textarea", {
    testId: "profile-text",
    attrs: {
      rows: "4",
      placeholder:
        "or paste a profile (YAML or JSON):\nhoursPerWeek: 5\nskills:\n  - { name: TypeScript, level: 4 }",
      "aria-label": "Profile file",
    },
  });

  /** The request part, from the pasted text when there is one, else from the fields. */
  request(): ProfileRequest {
    const pasted = this.text.value.trim();
    if (pasted !== "") return { profileText: pasted };
    const hoursPerWeek = Number(this.hours.value);
    if (!(hoursPerWeek > 0 && hoursPerWeek <= 100)) {
      throw invalid(
        `hours a week must be above 0 and at most 100, got '${this.hours.value}'`,
        "hoursPerWeek",
      );
    }
    return { profile: { hoursPerWeek, skills: parseSkills(this.skills.value) } };
  }

  /** A short description of the profile in use, for the breakdown. */
  describe(): string {
    if (this.text.value.trim() !== "") return "for the pasted profile";
    const skills = this.skills.value.trim();
    return `for ${this.hours.value} h a week${skills === "" ? ", no known skills" : `, knowing ${skills}`}`;
  }

  /** The inputs laid out. */
  element(onSuggest: () => void): HTMLElement {
    return h(
      "div",
      { className: "profile-form" },
      h(
        "div",
        { className: "toolbar" },
        h("label", { className: "field" }, "Known skills ", this.skills),
        h("label", { className: "field" }, "Hours a week ", this.hours),
        h("button", { testId: "suggest-button", onClick: onSuggest }, "Suggest"),
      ),
      this.text,
    );
  }
}
