import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import type { CliIo } from "./io.ts";
import { buildProgram, TOP_COMMANDS } from "./main.ts";

function quietIo(): CliIo {
  const sink = { write: () => true, once: () => sink, removeListener: () => sink };
  return { stdout: sink, stderr: sink, stdin: Readable.from([]), env: {} };
}

describe("buildProgram", () => {
  it("lists every top-level command with the summary the command itself declares", async () => {
    const program = await buildProgram(quietIo(), "all");
    assert.deepEqual(
      program.commands.map((c) => [c.name(), c.summary()]),
      TOP_COMMANDS.map((c) => [c.name, c.summary]),
    );
  });

  it("loads no command's module for the root help or the version, only names and summaries", async () => {
    for (const argv of [["--help"], ["--version"], ["help"], []]) {
      const program = await buildProgram(quietIo(), argv);
      assert.deepEqual(
        program.commands.map((c) => [c.name(), c.summary()]),
        TOP_COMMANDS.map((c) => [c.name, c.summary]),
      );
      for (const command of program.commands) {
        assert.equal(command.commands.length + command.options.length, 0, `${command.name()} was loaded`);
      }
    }
  });

  it("loads the command that runs, or whose help is asked for, whole", async () => {
    for (const [argv, name] of [
      [["cluster", "--input", "posts.txt", "--k", "4"], "cluster"],
      [["help", "classify"], "classify"],
      [["keys", "create", "--help"], "keys"],
    ] as const) {
      const program = await buildProgram(quietIo(), argv);
      for (const command of program.commands) {
        const loaded = command.commands.length + command.options.length > 0;
        assert.equal(loaded, command.name() === name, `${command.name()} for ${argv.join(" ")}`);
      }
    }
  });
});
