/**
 * Holds src/ to the layer table of docs/design.md (issue 16 item 1): no import against the
 * table, no import cycle between files, no deep import into another folder past its
 * `index.ts`. The checker is first shown, on small made-up trees, to fail on each kind of
 * violation, so that the check of the real tree passing means something.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { checkLayers, describeViolation, placeOf } from "./support/layers.ts";
import { readSourceTree } from "./support/source-files.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Imports that still go against the table, each with why it is left. The test fails on any
 * violation not listed here, and on an entry here that no longer happens, so the list only
 * shrinks.
 */
const KNOWN_VIOLATIONS: ReadonlyMap<string, string> = new Map([
  [
    "sideways: src/models/forecast/forecaster.ts -> src/models/regressor/index.ts",
    "the forecaster fits its trend with the regressor family (trainRegressor): whether forecast " +
      "is a helper built on a family or a family of its own is a design decision, not a move",
  ],
]);

function check(files: Record<string, string>): string[] {
  return checkLayers(new Map(Object.entries(files))).map(describeViolation);
}

describe("layer checker", () => {
  it("places files in their layer and folder", () => {
    assert.deepEqual(placeOf("src/models/tagger/tagger.ts"), {
      layer: "models",
      folder: "src/models/tagger",
    });
    assert.deepEqual(placeOf("src/server/routes/admin.ts"), { layer: "server", folder: "src/server" });
    assert.deepEqual(placeOf("src/index.ts"), { layer: "root", folder: "src" });
    assert.equal(placeOf("test/cli.test.ts"), undefined);
  });

  it("accepts imports down the table through index files, and relative imports within a folder", () => {
    assert.deepEqual(
      check({
        "src/models/tagger/tagger.ts":
          'import { a } from "./features.ts";\nimport { Random } from "../../core/index.ts";',
        "src/models/tagger/features.ts": 'import type { T } from "../numeric/index.ts";',
        "src/models/numeric/index.ts": 'export { kMeans } from "./kmeans.ts";',
        "src/core/index.ts": "export const Random = 1;",
      }),
      [],
    );
  });

  it("fails on an import up the table", () => {
    assert.deepEqual(
      check({ "src/store/database.ts": 'import { f } from "../models/classifier/index.ts";' }),
      ["layer: src/store/database.ts -> src/models/classifier/index.ts"],
    );
  });

  it("fails on a dynamic import up the table", () => {
    assert.deepEqual(check({ "src/core/random.ts": 'const m = await import("../train/index.ts");' }), [
      "layer: src/core/random.ts -> src/train/index.ts",
    ]);
  });

  it("fails on a deep import into another folder", () => {
    assert.deepEqual(check({ "src/data/dataset.ts": 'export { TextkitError } from "../core/errors.ts";' }), [
      "deep: src/data/dataset.ts -> src/core/errors.ts",
    ]);
  });

  it("fails on an import between two model families or two applications", () => {
    assert.deepEqual(
      check({
        "src/models/tagger/tagger.ts": 'import { x } from "../cluster/index.ts";',
        "src/apps/assist/a.ts": 'import { y } from "../monitor/index.ts";',
      }),
      [
        "sideways: src/apps/assist/a.ts -> src/apps/monitor/index.ts",
        "sideways: src/models/tagger/tagger.ts -> src/models/cluster/index.ts",
      ],
    );
  });

  it("fails on a cycle between files, type-only imports included", () => {
    assert.deepEqual(
      check({
        "src/store/a.ts": 'import { b } from "./b.ts";',
        "src/store/b.ts": 'import type { C } from "./c.ts";',
        "src/store/c.ts": 'import { a } from "./a.ts";',
      }),
      ["cycle: src/store/a.ts, src/store/b.ts, src/store/c.ts"],
    );
  });

  it("ignores what only looks like an import in comments and strings", () => {
    assert.deepEqual(
      check({
        "src/core/x.ts": '// import { y } from "../models/index.ts";\nconst s = \'from "../cli/main.ts"\';',
      }),
      [],
    );
  });
});

describe("src/ follows the layer table", () => {
  const files = readSourceTree(ROOT, "src");
  const found = checkLayers(files).map(describeViolation);

  it("has no import against the table, no cycle and no deep import, beyond the known ones", () => {
    assert.deepEqual(
      found.filter((line) => !KNOWN_VIOLATIONS.has(line)),
      [],
    );
  });

  it("still has every known violation (remove an entry once it is fixed)", () => {
    assert.deepEqual(
      [...KNOWN_VIOLATIONS.keys()].filter((line) => !found.includes(line)),
      [],
    );
  });
});
