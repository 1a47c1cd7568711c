/**
 * The package as users get it: `npm pack` of the project, the tarball unpacked as a
 * dependency of an empty project, and from there the `textkit` command, `import "textkit"`
 * and `import "textkit/server"`, with no network. The empty project is given the production
 * dependencies only (npm's own resolution of them is npm's business, and needs the
 * registry), so a runtime import of a development-only package fails here.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = join(import.meta.dirname, "..");

/** True when dist/ holds a whole build newer than every file under src/ (as bin/textkit.js decides). */
function freshBuild(): boolean {
  try {
    const info = JSON.parse(readFileSync(join(ROOT, "dist", "build-info.json"), "utf8")) as {
      startedAtMs?: number;
    };
    const since = info.startedAtMs ?? 0;
    for (const entry of readdirSync(join(ROOT, "src"), { recursive: true })) {
      if (statSync(join(ROOT, "src", String(entry))).mtimeMs >= since) return false;
    }
    return true;
  } catch {
    return false;
  }
}

describe("the packed package, installed in an empty project", () => {
  let work = "";
  let app = "";
  const run = (command: string, args: string[]) =>
    spawnSync(command, args, { cwd: app, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  before(() => {
    work = mkdtempSync(join(tmpdir(), "textkit-pack-"));
    // A copy of what packing reads, so that building here never touches the checkout's dist/.
    const pkg = join(work, "pkg");
    mkdirSync(pkg);
    for (const name of [
      "package.json",
      "README.md",
      "bin",
      "src",
      "samples",
      "scripts",
      "web",
      "tsconfig.json",
      "tsconfig.build.json",
    ]) {
      cpSync(join(ROOT, name), join(pkg, name), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    if (freshBuild()) cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true });
    else execFileSync(process.execPath, [join(pkg, "scripts", "build.mjs")], { cwd: pkg, stdio: "ignore" });
    const packed = execFileSync(
      "npm",
      ["pack", "--ignore-scripts", "--offline", "--json", "--pack-destination", work],
      {
        cwd: pkg,
        encoding: "utf8",
      },
    );
    const tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
    app = join(work, "app");
    const installed = join(app, "node_modules", "textkit");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["xzf", tarball, "-C", installed, "--strip-components", "1"]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    // The production dependencies, where npm would have put them.
    const listed = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    for (const path of listed.split("\n").slice(1)) {
      if (path === "" || !path.startsWith(join(ROOT, "node_modules"))) continue;
      const target = join(app, "node_modules", relative(join(ROOT, "node_modules"), path));
      if (existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(path, target);
    }
    mkdirSync(join(app, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join(installed, "bin", "textkit.js"), join(app, "node_modules", ".bin", "textkit"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("ships compiled code, the samples and the dashboard, and no TypeScript source or tests", () => {
    const installed = join(app, "node_modules", "textkit");
    assert.ok(existsSync(join(installed, "dist", "index.js")));
    assert.ok(existsSync(join(installed, "dist", "index.d.ts")));
    assert.ok(existsSync(join(installed, "dist", "web")));
    assert.ok(existsSync(join(installed, "samples", "intents", "train.csv")));
    assert.ok(!existsSync(join(installed, "src")));
    assert.ok(!existsSync(join(installed, "test")));
  });

  it("runs the textkit command: version, help, and a training run on the shipped samples", () => {
    const version = run(join(app, "node_modules", ".bin", "textkit"), ["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /\d+\.\d+\.\d+/);
    const trained = run(join(app, "node_modules", ".bin", "textkit"), [
      "classify",
      "train",
      "--train",
      "node_modules/textkit/samples/intents/train.csv",
      "--out",
      "models/intent",
      "--epochs",
      "3",
      "--quiet",
    ]);
    assert.equal(trained.status, 0, trained.stderr);
    assert.ok(existsSync(join(app, "models", "intent", "manifest.json")));
  });

  it("imports the library and the server entry", () => {
    const script = [
      'import { trainClassifier, loadDataset, pipeline } from "textkit";',
      'import { buildServer, textkitPlugin } from "textkit/server";',
      'const train = await loadDataset("node_modules/textkit/samples/intents/train.csv");',
      "const model = await trainClassifier({ train }, { epochs: 2 });",
      "console.log(JSON.stringify({ labels: model.labels.length, server: typeof buildServer, plugin: typeof textkitPlugin, pipeline: typeof pipeline }));",
    ].join("\n");
    const out = run(process.execPath, ["--input-type=module", "-e", script]);
    assert.equal(out.status, 0, out.stderr);
    const result = JSON.parse(out.stdout) as Record<string, unknown>;
    assert.ok(Number(result["labels"]) > 2);
    assert.deepEqual(
      [result["server"], result["plugin"], result["pipeline"]],
      ["function", "function", "function"],
    );
  });
});
