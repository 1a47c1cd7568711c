import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { levelOf } from "./logging.ts";

const CHILD = fileURLToPath(new URL("../../test/support/log-then-kill.ts", import.meta.url));

describe("the server's buffered log", () => {
  it("writes info lines within a second and warnings at once, so a SIGKILL loses neither", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, "2500"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    const [code, signal] = await once(child, "exit");
    assert.equal(signal, "SIGKILL", `the child ended otherwise (code ${code}): ${err}`);
    const lines = out
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [30, "first info line"],
        [30, "second info line"],
        [40, "monitor alert: negative share on acme"],
      ],
    );
  });

  it("reads the level from the start of a pino line; a line of another shape counts as important", () => {
    assert.equal(levelOf('{"level":30,"time":1,"msg":"request completed"}\n'), 30);
    assert.equal(levelOf('{"level":40,"time":1,"msg":"monitor alert: x"}\n'), 40);
    assert.equal(levelOf('{"level":100,"msg":"custom"}\n'), 100);
    assert.equal(levelOf("plain text\n"), Number.POSITIVE_INFINITY);
    assert.equal(levelOf('{"level":"info"}\n'), Number.POSITIVE_INFINITY);
  });
});
