import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AggregatorRegistry, Counter, Histogram, Registry } from "prom-client";
import { CellCounter, CellHistogram } from "./metric-cells.ts";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
type RequestLabel = "method" | "route" | "status";
type DurationLabel = "method" | "route";

/** prom-client's own metrics and the cell ones, each in a registry of its own. */
function pair() {
  const plain = new Registry();
  const cells = new Registry();
  const config = {
    name: "http_requests_total",
    help: "Requests.",
    labelNames: ["method", "route", "status"] as RequestLabel[],
  };
  const hist = {
    name: "http_request_duration_seconds",
    help: "Latency.",
    labelNames: ["method", "route"] as DurationLabel[],
    buckets: BUCKETS,
  };
  return {
    plain,
    cells,
    plainCounter: new Counter({ ...config, registers: [plain] }),
    cellCounter: new CellCounter({ ...config, registers: [cells] }),
    plainHistogram: new Histogram({ ...hist, registers: [plain] }),
    cellHistogram: new CellHistogram({ ...hist, registers: [cells] }),
  };
}

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "HEAD"),
  route: fc.constantFrom("/v1/models/:name/predict", "unmatched", "/healthz", 'we"ird\\route\n'),
  status: fc.constantFrom(200, 400, 404, 413, 429),
  seconds: fc.oneof(
    fc.double({ min: 0, max: 10, noNaN: true }),
    fc.constantFrom(...BUCKETS),
    fc.constant(7.5),
  ),
  viaCell: fc.boolean(),
});

describe("CellCounter and CellHistogram", () => {
  it("expose the text and JSON prom-client's Counter and Histogram expose for the same requests", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 60 }), async (requests) => {
        const m = pair();
        for (const r of requests) {
          const labels = { method: r.method, route: r.route };
          m.plainCounter.inc({ ...labels, status: String(r.status) });
          m.plainHistogram.observe(labels, r.seconds);
          if (r.viaCell) {
            m.cellCounter.cell({ ...labels, status: String(r.status) }).value += 1;
            m.cellHistogram.record(m.cellHistogram.cell(labels), r.seconds);
          } else {
            m.cellCounter.inc({ ...labels, status: String(r.status) });
            m.cellHistogram.observe(labels, r.seconds);
          }
        }
        assert.equal(await m.cells.metrics(), await m.plain.metrics());
        assert.deepEqual(await m.cells.getMetricsAsJSON(), await m.plain.getMetricsAsJSON());
      }),
      { numRuns: 60 },
    );
  });

  it("sum the same across cluster workers, as the primary aggregates them", async () => {
    const a = pair();
    const b = pair();
    for (const [m, n] of [
      [a, 3],
      [b, 5],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const labels = { method: "POST", route: "/p" };
        m.plainCounter.inc({ ...labels, status: "200" }, 2);
        m.cellCounter.cell({ ...labels, status: "200" }).value += 2;
        m.plainHistogram.observe(labels, i / 100);
        m.cellHistogram.record(m.cellHistogram.cell(labels), i / 100);
      }
    }
    const plain = AggregatorRegistry.aggregate([
      await a.plain.getMetricsAsJSON(),
      await b.plain.getMetricsAsJSON(),
    ]);
    const cells = AggregatorRegistry.aggregate([
      await a.cells.getMetricsAsJSON(),
      await b.cells.getMetricsAsJSON(),
    ]);
    assert.equal(await cells.metrics(), await plain.metrics());
    assert.match(await cells.metrics(), /http_requests_total\{method="POST",route="\/p",status="200"\} 16/);
  });

  it("refuse what prom-client refuses: unknown labels, negative or non-finite values", () => {
    const m = pair();
    assert.throws(() => m.cellCounter.inc({ nope: "x" } as never), /not included in initial labelset/);
    assert.throws(() => m.cellCounter.inc({ method: "GET" }, -1), /not possible to decrease/);
    assert.throws(() => m.cellCounter.inc({ method: "GET" }, Number.POSITIVE_INFINITY), TypeError);
    assert.throws(() => m.cellHistogram.observe({ method: "GET" }, Number.NaN), TypeError);
    assert.throws(() => m.cellHistogram.cell({ status: "200" } as never), /not included in initial labelset/);
  });

  it("forget their series on reset, as prom-client does", async () => {
    const m = pair();
    m.cellCounter.inc({ method: "GET", route: "/a", status: "200" });
    m.cellHistogram.observe({ method: "GET", route: "/a" }, 0.1);
    m.cellCounter.reset();
    m.cellHistogram.reset();
    const text = await m.cells.metrics();
    assert.doesNotMatch(text, /route="\/a"/);
    assert.match(text, /# TYPE http_requests_total counter/);
  });
});
