import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  averagePrecisionAtK,
  catalogCoverage,
  formatRankingReports,
  hitRateAtK,
  mae,
  ndcgAtK,
  precisionAtK,
  rankingReport,
  recallAtK,
  rmse,
} from "./ranking.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe("ranking metrics at k", () => {
  // Relevant: b and d. Ranked: a b c d e (hits at ranks 2 and 4).
  const ranked = ["a", "b", "c", "d", "e"];
  const relevant = new Set(["b", "d"]);

  it("hit rate, precision and recall count the hits among the first k", () => {
    assert.equal(hitRateAtK(ranked, relevant, 1), 0);
    assert.equal(hitRateAtK(ranked, relevant, 2), 1);
    assert.equal(precisionAtK(ranked, relevant, 4), 2 / 4);
    assert.equal(precisionAtK(ranked, relevant, 10), 2 / 10, "a short list is not excused");
    assert.equal(recallAtK(ranked, relevant, 2), 1 / 2);
    assert.equal(recallAtK(ranked, relevant, 5), 1);
  });

  it("NDCG divides the discounted gains by an ideal list's", () => {
    // DCG@4 = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    close(ndcgAtK(ranked, relevant, 4), (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)));
    // At k = 2 only one relevant item fits the list: ideal = 1 + 1/log2(3).
    close(ndcgAtK(ranked, relevant, 2), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
    close(ndcgAtK(["d", "b"], relevant, 2), 1);
    assert.equal(ndcgAtK(ranked, new Set<string>(), 5), 0);
  });

  it("MAP averages precision at each hit over min(k, |relevant|)", () => {
    close(averagePrecisionAtK(ranked, relevant, 5), (1 / 2 + 2 / 4) / 2);
    close(averagePrecisionAtK(ranked, relevant, 2), 1 / 2 / 2);
    close(averagePrecisionAtK(["b"], new Set(["b", "x", "y"]), 1), 1);
  });

  it("coverage counts the distinct items in the top k of any list", () => {
    assert.equal(
      catalogCoverage(
        [
          ["a", "b", "c"],
          ["b", "d"],
        ],
        10,
        2,
      ),
      3 / 10,
    );
  });

  it("a report averages over the users with a relevant item, and prints as a table", () => {
    const report = rankingReport(
      [
        { ranked: [1, 2, 3], relevant: new Set([1]) },
        { ranked: [4, 5, 6], relevant: new Set([6, 9]) },
        { ranked: [7, 8, 9], relevant: new Set<number>() },
      ],
      3,
      10,
    );
    assert.equal(report.users, 2);
    assert.equal(report.hitRate, 1);
    close(report.precision, (1 / 3 + 1 / 3) / 2);
    close(report.recall, (1 + 1 / 2) / 2);
    close(report.ndcg, (1 + 1 / 2 / (1 + 1 / Math.log2(3))) / 2);
    close(report.map, (1 + 1 / 3 / 2) / 2);
    close(report.coverage, 6 / 10);
    const table = formatRankingReports([{ name: "als", report }]);
    assert.match(table, /^model\s+users\s+HR@3\s+P@3\s+R@3\s+NDCG@3\s+MAP@3\s+coverage\nals\s+2\s+1\.0000/);
  });

  it("refuses k below 1", () => {
    assert.throws(() => ndcgAtK(["a"], new Set(["a"]), 0), /k must be a whole number >= 1/);
  });
});

describe("rating errors", () => {
  it("RMSE and MAE", () => {
    close(rmse([3, 4, 5], [4, 4, 3]), Math.sqrt((1 + 0 + 4) / 3));
    close(mae([3, 4, 5], [4, 4, 3]), 1);
    assert.throws(() => rmse([1], [1, 2]), /1 true values but 2 predictions/);
    assert.throws(() => mae([], []), /no values/);
  });
});
