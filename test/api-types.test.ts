/**
 * The monitor's and assistant's answers have real response schemas, and the dashboard's types
 * agree with them:
 * - /openapi.json of a running server gives every monitor and assistant route a 200 schema
 *   with named fields (no free-form object left);
 * - test/support/api-types-check.ts compiles: web/src/types.ts and the apps' records are
 *   mutually assignable with `Static<typeof XSchema>` of the route schemas, and what the
 *   Models, Runs and Recommend pages read (web/src/page-types.ts) is answered; the same check
 *   over copies of the web types with one field removed and one renamed fails at those two
 *   asserts, so the check can fail.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startServer } from "../src/server/index.ts";

const ROOT = join(import.meta.dirname, "..");
const CHECK = join(ROOT, "test", "support", "api-types-check.ts");

interface JsonSchema {
  type?: string;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}
type OpenApi = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }>
  >;
};

const ASSIST_PATHS = /^\/v1\/models\/\{name\}\/(chat|conversations|feedback|handovers|knowledge)/;

describe("monitor and assistant response schemas", () => {
  it("/openapi.json has no free-form 200 answer on the monitor's and assistant's routes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "textkit-api-types-"));
    const server = await startServer({
      modelsDir: dir,
      port: 0,
      auth: "off",
      watchIntervalMs: 0,
      logger: false,
    });
    try {
      const res = await fetch(`${server.url}/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as OpenApi;
      const routes: string[] = [];
      for (const [path, methods] of Object.entries(doc.paths)) {
        if (!path.startsWith("/v1/monitor") && !ASSIST_PATHS.test(path)) continue;
        for (const [method, op] of Object.entries(methods)) {
          const route = `${method.toUpperCase()} ${path}`;
          routes.push(route);
          const schema = op.responses?.["200"]?.content?.["application/json"]?.schema;
          assert.ok(schema !== undefined, `${route} documents no 200 answer`);
          assert.equal(schema.type, "object", route);
          assert.ok(Object.keys(schema.properties ?? {}).length > 0, `${route} answers a free-form object`);
          assert.notEqual(schema.additionalProperties, true, `${route} answers a free-form object`);
        }
      }
      // 9 monitor routes and 8 assistant routes.
      assert.equal(routes.length, 17, routes.join("\n"));
      const chat =
        doc.paths["/v1/models/{name}/chat"]?.["post"]?.responses?.["200"]?.content?.["application/json"]
          ?.schema;
      for (const field of ["detected", "candidate", "action", "handoverId", "why"]) {
        assert.ok(chat?.properties?.[field] !== undefined, `chat answers ${field}`);
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the dashboard's types and the apps' records match the schemas, and a drift fails to compile", () => {
    const dir = mkdtempSync(join(ROOT, "test", "support", ".api-types-"));
    try {
      const web = readFileSync(join(ROOT, "web", "src", "types.ts"), "utf8");
      const field = "  detected: { language: string; score: number | null };\n";
      assert.ok(web.includes(field), "web/src/types.ts: ChatReply.detected");
      writeFileSync(join(dir, "types.ts"), web.replace(field, ""));
      // A page that reads a field its route does not answer: RunListView.total renamed.
      const pages = readFileSync(join(ROOT, "web", "src", "page-types.ts"), "utf8");
      const total = "  runs: RunView[];\n  total: number;\n";
      assert.ok(pages.includes(total), "web/src/page-types.ts: RunListView.total");
      writeFileSync(
        join(dir, "page-types.ts"),
        pages.replace(total, "  runs: RunView[];\n  count: number;\n"),
      );
      const check = readFileSync(CHECK, "utf8")
        .replaceAll('"../../src/', '"../../../src/')
        .replace('"../../web/src/types.ts"', '"./types.ts"')
        .replace('"../../web/src/page-types.ts"', '"./page-types.ts"')
        .replace('"../../web/src/radar-types.ts"', '"../../../web/src/radar-types.ts"');
      writeFileSync(join(dir, "drift.ts"), check);
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: join(ROOT, "tsconfig.json"),
          compilerOptions: { noEmit: true, rootDir: ROOT },
          include: [],
          files: [CHECK, join(dir, "drift.ts")],
        }),
      );
      const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
      const run = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
      const out = `${run.stdout}${run.stderr}`;
      const errors = out.split("\n").filter((line) => /error TS/.test(line));
      for (const line of errors) {
        assert.match(line, /drift\.ts\(\d+,\d+\): error TS2344/, `only the drifted copy fails:\n${out}`);
      }
      const lines = check.split("\n");
      const failing = new Set(errors.map((line) => Number(/drift\.ts\((\d+),/.exec(line)?.[1])));
      const at = (text: string) => lines.findIndex((line) => line.includes(text)) + 1;
      assert.ok(
        failing.has(at("Assert<Same<Web.ChatReply,")),
        `removing ChatReply.detected compiled:\n${out}`,
      );
      assert.ok(
        failing.has(at("Assert<Reads<WebPages.RunListView,")),
        `renaming RunListView.total compiled:\n${out}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
