import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { parseDictionary } from "./dictionary.ts";
import { MentionMatcher } from "./matcher.ts";

const DICT = `quadrants: [platforms, languages, frameworks]
technologies:
  - name: Kubernetes
    quadrant: platforms
    aliases: [k8s, 容器编排]
  - name: Java
    quadrant: languages
  - name: JavaScript
    quadrant: languages
    aliases: [JS]
  - name: Go
    quadrant: languages
    aliases: [Golang, Go语言]
  - name: React
    quadrant: frameworks
  - name: React Native
    quadrant: frameworks
  - name: C++
    quadrant: languages
  - name: Rust
    quadrant: languages
`;

function expectError(text: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => parseDictionary("tech.yaml", text),
    (e: unknown) =>
      isTextkitError(e) &&
      e.code === "RADAR_DICTIONARY_INVALID" &&
      e.file === "tech.yaml" &&
      e.line === line &&
      pattern.test(e.message),
  );
}

describe("radar dictionary", () => {
  it("reads names, aliases, quadrants and the default rings", () => {
    const d = parseDictionary("tech.yaml", DICT);
    assert.deepEqual(d.quadrants, ["platforms", "languages", "frameworks"]);
    assert.deepEqual(d.technologies[0]!.aliases, ["Kubernetes", "k8s", "容器编排"]);
    assert.equal(d.technologies[0]!.line, 3);
    assert.deepEqual(
      d.rings.map((r) => r.name),
      ["adopt", "trial", "assess", "hold"],
    );
  });

  it("refuses duplicate names and aliases, unknown quadrants and bad rings, with their lines", () => {
    expectError(
      "quadrants: [a]\ntechnologies:\n  - {name: X, quadrant: a}\n  - {name: x, quadrant: a}\n",
      4,
      /already the name/,
    );
    expectError(
      "quadrants: [a]\ntechnologies:\n  - {name: X, quadrant: a, aliases: [exo]}\n  - {name: Y, quadrant: a, aliases: [EXO]}\n",
      4,
      /already an alias of X \(line 3\)/,
    );
    expectError(
      "quadrants: [a]\ntechnologies:\n  - name: X\n    quadrant: b\n",
      4,
      /'b' is not one of the quadrants/,
    );
    expectError(
      "quadrants: [a]\nrings:\n  - {name: in, min: 0.1}\n  - {name: out, min: 0.2}\ntechnologies:\n  - {name: X, quadrant: a}\n",
      4,
      /must be below/,
    );
    expectError(
      "quadrants: [a]\ntechnologies:\n  - {name: X, quadrant: a, colour: red}\n",
      3,
      /unknown key 'colour'/,
    );
    expectError("quadrants: [a]\ntechnologies: [\n", 3, /./);
  });
});

describe("MentionMatcher", () => {
  const d = parseDictionary("tech.yaml", DICT);
  const m = new MentionMatcher(d);
  const names = (text: string) => m.technologiesIn(text).map((id) => d.technologies[id]!.name);

  it("finds aliases in English and Chinese, folding case and full-width forms", () => {
    assert.deepEqual(names("We moved to K8S, then KUBERNETES again"), ["Kubernetes"]);
    assert.deepEqual(names("公司全面采用容器编排平台"), ["Kubernetes"]);
    assert.deepEqual(names("用Ｒｕｓｔ重写了服务"), ["Rust"]);
    assert.deepEqual(names("用Rust重写，再用Go语言写网关"), ["Rust", "Go"]);
  });

  it("keeps word boundaries for Latin aliases and case for short ones", () => {
    assert.deepEqual(names("JavaScript is not Java"), ["JavaScript", "Java"]);
    assert.deepEqual(names("let's go home"), []);
    assert.deepEqual(names("written in Go."), ["Go"]);
    assert.deepEqual(names("rusty pipes"), []);
    assert.deepEqual(names("modern C++ and c++20"), ["C++"]);
  });

  it("settles overlaps leftmost-longest", () => {
    assert.deepEqual(names("React Native apps"), ["React Native"]);
    assert.deepEqual(names("React Native and React"), ["React Native", "React"]);
    const spans = m.mentions("try React Native");
    assert.deepEqual(spans, [{ technology: 5, start: 4, end: 16 }]);
  });

  it("agrees with a plain regular expression on generated texts", () => {
    const words = [
      "java",
      "Java",
      "javascript",
      "k8s",
      "Go",
      "go",
      "react",
      "native",
      "rust",
      "c++",
      "x",
      "容器编排",
      "好",
    ];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const latin =
      /(?<![A-Za-z0-9_])(kubernetes|k8s|javascript|js|java|golang|react native|react|rust)(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])Go(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])c\+\+|容器编排|Go语言/gi;
    for (let k = 0; k < 300; k++) {
      const text = Array.from({ length: 12 }, () => words[Math.floor(rand() * words.length)]).join(
        rand() < 0.5 ? " " : "",
      );
      const expected = new Set<string>();
      for (const hit of text.matchAll(latin)) {
        const h = hit[0];
        if (/^go$/i.test(h) && h !== "Go") continue;
        const low = h.toLowerCase();
        expected.add(
          low === "k8s" || low === "kubernetes" || h === "容器编排"
            ? "Kubernetes"
            : low === "react native"
              ? "React Native"
              : low === "golang" || h === "Go" || h === "Go语言"
                ? "Go"
                : low === "javascript" || low === "js"
                  ? "JavaScript"
                  : low === "c++"
                    ? "C++"
                    : low[0]!.toUpperCase() + low.slice(1),
        );
      }
      assert.deepEqual(new Set(names(text)), expected, text);
    }
  });
});
