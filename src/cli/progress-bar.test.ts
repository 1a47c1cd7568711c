import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatCount,
  formatDuration,
  formatProgress,
  ProgressBar,
  type ProgressState,
} from "./progress-bar.ts";

function state(overrides: Partial<ProgressState> = {}): ProgressState {
  return {
    epoch: 3,
    epochs: 10,
    progress: 0.45,
    loss: 0.8123,
    learningRate: 0.275,
    speed: 412_000,
    unit: "tok",
    etaSeconds: 12,
    ...overrides,
  };
}

class FakeStream {
  chunks: string[] = [];
  isTTY: boolean;
  columns: number | undefined;
  constructor(isTTY: boolean, columns?: number) {
    this.isTTY = isTTY;
    this.columns = columns;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
}

describe("formatProgress", () => {
  it("names the trainer's own stage and loss, and leaves out a learning rate it has not got", () => {
    const { learningRate: _, ...noRate } = state({ epoch: 2, epochs: 3, loss: 1234567.8 });
    const line = formatProgress({ ...noRate, stage: "run", lossName: "inertia", unit: "ex" }, 4);
    assert.match(line, /^run 2\/3 \[/);
    assert.match(line, / inertia 1234570 /);
    assert.doesNotMatch(line, / lr |epoch/);
  });

  it("writes the line the CLI documents", () => {
    assert.equal(
      formatProgress(state(), 10),
      "epoch 3/10 [=====>    ] 45% loss 0.8123 lr 0.275 412k tok/s ETA 0:12",
    );
  });

  it("fills the bar at the end and keeps its width at the start", () => {
    assert.match(formatProgress(state({ progress: 1 }), 4), /\[====\] 100%/);
    assert.match(formatProgress(state({ progress: 0 }), 4), /\[> {3}\] 0%/);
    // out-of-range progress is clamped rather than drawing a broken bar
    assert.match(formatProgress(state({ progress: 1.7 }), 4), /\[====\] 100%/);
    assert.match(formatProgress(state({ progress: Number.NaN }), 4), /\[> {3}\] 0%/);
  });

  it("shows unknown numbers as ?", () => {
    const line = formatProgress(state({ loss: Number.NaN, etaSeconds: Number.POSITIVE_INFINITY }), 4);
    assert.match(line, /loss \? /);
    assert.match(line, /ETA \?$/);
  });

  it("leaves out the loss and learning rate of work that has none", () => {
    const line = formatProgress(
      { epoch: 1, epochs: 1, progress: 0.5, speed: 12_000, unit: "docs", etaSeconds: 3 },
      4,
    );
    assert.equal(line, "epoch 1/1 [==> ] 50% 12k docs/s ETA 0:03");
  });
});

describe("formatCount and formatDuration", () => {
  it("shortens counts to k, M and G", () => {
    assert.equal(formatCount(950), "950");
    assert.equal(formatCount(412_345), "412k");
    assert.equal(formatCount(999_499), "999k");
    assert.equal(formatCount(999_500), "1.0M");
    assert.equal(formatCount(1_234_567), "1.2M");
    assert.equal(formatCount(2.5e9), "2.5G");
    assert.equal(formatCount(-1), "?");
  });

  it("writes m:ss, and h:mm:ss from an hour", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(72), "1:12");
    assert.equal(formatDuration(3723), "1:02:03");
    assert.equal(formatDuration(Number.NaN), "?");
  });
});

describe("ProgressBar", () => {
  it("redraws one line in place on a terminal, at most every redrawMs", () => {
    const stream = new FakeStream(true);
    let now = 0;
    const bar = new ProgressBar(stream, { now: () => now, redrawMs: 100, barWidth: 10 });
    bar.update(state({ progress: 0.1 }));
    now = 50;
    bar.update(state({ progress: 0.2 }));
    now = 150;
    bar.update(state({ progress: 0.3 }));
    assert.equal(stream.chunks.length, 2);
    for (const chunk of stream.chunks) {
      assert.ok(chunk.startsWith("\r\x1b[K"), JSON.stringify(chunk));
      assert.ok(!chunk.includes("\n"));
    }
    assert.match(stream.chunks[1]!, /\[===> {6}\] 30%/);
    // the last state always shows, however soon it comes
    now = 160;
    bar.update(state({ progress: 1 }));
    assert.equal(stream.chunks.length, 3);
  });

  it("prints lines above the bar and redraws it under them", () => {
    const stream = new FakeStream(true);
    const bar = new ProgressBar(stream, { now: () => 0, barWidth: 10 });
    bar.update(state());
    const drawn = formatProgress(state(), 10);
    bar.log("epoch 3/10 loss 0.8000");
    assert.equal(stream.chunks.at(-1), `\r\x1b[Kepoch 3/10 loss 0.8000\n${drawn}`);
    bar.finish();
    assert.equal(stream.chunks.at(-1), "\r\x1b[K");
    // with the bar gone, a line is a plain line
    bar.log("done");
    assert.equal(stream.chunks.at(-1), "done\n");
  });

  it("cuts the line to the terminal width so that it never wraps", () => {
    const stream = new FakeStream(true, 30);
    const bar = new ProgressBar(stream, { now: () => 0 });
    bar.update(state());
    assert.equal(stream.text.replace("\r\x1b[K", "").length, 29);
  });

  it("writes plain lines at most every intervalMs when not on a terminal", () => {
    const stream = new FakeStream(false);
    let now = 0;
    const bar = new ProgressBar(stream, { now: () => now, intervalMs: 2000 });
    for (now = 0; now <= 5000; now += 500) bar.update(state({ progress: now / 5000 }));
    // t = 0, 2000 and 4000
    assert.equal(stream.chunks.length, 3);
    assert.ok(!stream.text.includes("\r"));
    assert.ok(stream.chunks.every((c) => c.endsWith("\n") && c.startsWith("epoch ")));
    bar.log("epoch 3/10 loss 0.8000");
    bar.finish();
    assert.equal(stream.chunks.at(-1), "epoch 3/10 loss 0.8000\n");
  });

  it("writes nothing when quiet", () => {
    const stream = new FakeStream(true);
    const bar = new ProgressBar(stream, { quiet: true });
    bar.update(state({ progress: 1 }));
    bar.log("epoch 1/1");
    bar.finish();
    assert.equal(stream.chunks.length, 0);
  });
});
