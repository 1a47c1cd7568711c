/**
 * Adding a technology to a dictionary's text: YAML keeps every line as written and gains the
 * entry at the end, JSON gets it in its list; a name or alias already taken, an unknown
 * quadrant or a file without a technologies list is refused with its code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { DEMO_DICTIONARY_YAML } from "./demo-corpus.ts";
import { addTechnology } from "./dictionary-edit.ts";

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (e) {
    return isTextkitError(e) ? e.code : "not a TextkitError";
  }
  return undefined;
};

describe("addTechnology", () => {
  it("appends to YAML, keeping the file's own lines, and reads back with the new aliases", () => {
    const { text, dictionary } = addTechnology("tech.yaml", DEMO_DICTIONARY_YAML, {
      name: " Vexel ",
      quadrant: "tools",
      aliases: ["维克索", ""],
      description: "a build tool",
    });
    assert.ok(text.startsWith(DEMO_DICTIONARY_YAML));
    assert.equal(
      text.slice(DEMO_DICTIONARY_YAML.length),
      "  - name: Vexel\n    quadrant: tools\n    aliases: [维克索]\n    description: a build tool\n",
    );
    const added = dictionary.technologies.at(-1);
    assert.deepEqual([added?.name, added?.quadrant, added?.aliases], ["Vexel", "tools", ["Vexel", "维克索"]]);
  });

  it("appends to JSON", () => {
    const json = JSON.stringify({
      quadrants: ["tools"],
      technologies: [{ name: "Make", quadrant: "tools" }],
    });
    const { dictionary, text } = addTechnology("tech.json", json, { name: "Bazel", quadrant: "tools" });
    assert.deepEqual(
      dictionary.technologies.map((t) => t.name),
      ["Make", "Bazel"],
    );
    assert.match(text, /^\{\n {2}"quadrants"/);
  });

  it("refuses a taken name or alias, an unknown quadrant, and a file it cannot add to", () => {
    const add =
      (name: string, quadrant: string, aliases: string[] = []) =>
      () =>
        addTechnology("tech.yaml", DEMO_DICTIONARY_YAML, { name, quadrant, aliases });
    assert.equal(codeOf(add("kubernetes", "tools")), "RADAR_DICTIONARY_INVALID");
    assert.equal(codeOf(add("Vexel", "tools", ["K8s"])), "RADAR_DICTIONARY_INVALID");
    assert.equal(codeOf(add("Vexel", "gadgets")), "OPTION_INVALID");
    assert.equal(codeOf(add("  ", "tools")), "OPTION_INVALID");
    assert.equal(
      codeOf(() =>
        addTechnology("x.yaml", "quadrants: [a]\ntechnologies: nope\n", { name: "Y", quadrant: "a" }),
      ),
      "RADAR_DICTIONARY_INVALID",
    );
  });
});
