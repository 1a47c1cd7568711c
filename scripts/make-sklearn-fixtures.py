"""Reference fixtures for src/eval, made by real scikit-learn.

Regenerate (from the repository root, with Debian's system Python that has
scikit-learn 1.2.1 and numpy installed; the pyenv `python3` lacks sklearn):

    /usr/bin/python3 scripts/make-sklearn-fixtures.py

Every case is built deterministically (hand-written lists or numpy RandomState
with a fixed seed), so running the script twice writes identical files. Each
case lands in test/fixtures/sklearn/<name>.json with its inputs, options, the
exact string of print(classification_report(...)), output_dict=True, the
confusion matrix (single-label cases) and top-k accuracies (where scores exist).
format-float.json holds Python's format(x, ".{d}f") for rounding-tie checks, and
numpy-sum.json np.sum/np.mean results whose last bits depend on numpy's addition order.
src/eval/classification-report.test.ts loads every file here.
"""

import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.metrics import classification_report, confusion_matrix, top_k_accuracy_score
from sklearn.preprocessing import MultiLabelBinarizer

warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "sklearn")


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    payload = {"name": name, "sklearn_version": sklearn.__version__, **payload}
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=1)
        f.write("\n")


def to_plain(d):
    """output_dict holds numpy scalars in places; make it JSON-able."""
    if isinstance(d, dict):
        return {k: to_plain(v) for k, v in d.items()}
    if isinstance(d, np.generic):
        return d.item()
    return d


def single_label_case(name, description, y_true, y_pred, labels=None, digits=2, zero_division="warn", scores=None):
    kwargs = {"digits": digits, "zero_division": zero_division}
    if labels is not None:
        kwargs["labels"] = labels
    report = classification_report(y_true, y_pred, **kwargs)
    report_dict = classification_report(y_true, y_pred, output_dict=True, **kwargs)
    cm_labels = labels if labels is not None else sorted(set(y_true) | set(y_pred))
    try:
        cm = confusion_matrix(y_true, y_pred, labels=cm_labels).tolist()
    except ValueError:
        # sklearn refuses a label list none of whose labels occur in y_true
        cm = None
    payload = {
        "description": description,
        "multilabel": False,
        "y_true": list(y_true),
        "y_pred": list(y_pred),
        "options": {
            "digits": digits,
            "zero_division": 1 if zero_division == 1 else 0,
            **({"labels": list(labels)} if labels is not None else {}),
        },
        "report": report,
        "report_dict": to_plain(report_dict),
        "confusion_matrix": None if cm is None else {"labels": list(cm_labels), "matrix": cm},
    }
    if scores is not None:
        classes, score_matrix, ks = scores
        order = np.argsort(score_matrix, axis=1, kind="mergesort")[:, ::-1]
        max_k = max(ks)
        payload["top_k"] = {
            "ranked": [[classes[j] for j in row[:max_k]] for row in order],
            "accuracy": {
                str(k): float(top_k_accuracy_score(y_true, score_matrix, k=k, labels=classes)) for k in ks
            },
        }
    write(name, payload)


def multilabel_case(name, description, y_true, y_pred, labels=None, digits=2, zero_division="warn"):
    classes = sorted(set(l for s in y_true + y_pred for l in s) | set(labels or []))
    mlb = MultiLabelBinarizer(classes=classes)
    t = mlb.fit_transform(y_true)
    p = mlb.transform(y_pred)
    kwargs = {"digits": digits, "zero_division": zero_division}
    if labels is not None:
        kwargs["labels"] = [classes.index(l) for l in labels]
        kwargs["target_names"] = list(labels)
    else:
        kwargs["target_names"] = classes
    report = classification_report(t, p, **kwargs)
    report_dict = classification_report(t, p, output_dict=True, **kwargs)
    subset_accuracy = float(np.mean(np.all(t == p, axis=1)))
    write(
        name,
        {
            "description": description,
            "multilabel": True,
            "y_true": [list(s) for s in y_true],
            "y_pred": [list(s) for s in y_pred],
            "options": {
                "digits": digits,
                "zero_division": 1 if zero_division == 1 else 0,
                **({"labels": list(labels)} if labels is not None else {}),
            },
            "report": report,
            "report_dict": to_plain(report_dict),
            "subset_accuracy": subset_accuracy,
        },
    )


def noisy(rs, y_true, labels, error_rate):
    """Copy y_true and replace a share of entries with a random label."""
    y_pred = list(y_true)
    for i in range(len(y_pred)):
        if rs.rand() < error_rate:
            y_pred[i] = labels[rs.randint(len(labels))]
    return y_pred


def scored(rs, y_true, classes, strength):
    """Scores whose argmax is often the true class; y_pred is the argmax."""
    index = {c: i for i, c in enumerate(classes)}
    scores = rs.rand(len(y_true), len(classes))
    for i, y in enumerate(y_true):
        scores[i, index[y]] += strength * rs.rand()
    y_pred = [classes[j] for j in np.argmax(scores, axis=1)]
    return scores, y_pred


def main():
    rs = np.random.RandomState(20240501)

    # binary with string labels "0"/"1": sklearn's type is "binary", the report still has a row per class
    y_true = [str(v) for v in rs.randint(0, 2, 40)]
    single_label_case("binary-string-labels", "binary, labels '0' and '1'", y_true, noisy(rs, y_true, ["0", "1"], 0.3))

    # multiclass, 12 labels, uneven frequencies, with scores for top-k
    classes = sorted(["label_%02d" % i for i in range(12)])
    y_true = [classes[min(int(rs.exponential(3.0)), 11)] for _ in range(500)]
    scores, y_pred = scored(rs, y_true, classes, 0.9)
    single_label_case(
        "multiclass-12", "12 labels, skewed support, argmax predictions", y_true, y_pred, scores=(classes, scores, [1, 3, 5])
    )

    # Chinese label names (width counts code points, not display columns)
    zh = ["正面", "负面", "中性"]
    y_true = [zh[v] for v in rs.randint(0, 3, 60)]
    single_label_case("chinese-labels", "Chinese label names", y_true, noisy(rs, y_true, zh, 0.35))

    # a Chinese name longer than "weighted avg" widens the first column
    zh_long = ["非常非常非常非常满意的评价", "不满意", "一般"]
    y_true = [zh_long[v] for v in rs.randint(0, 3, 30)]
    single_label_case("chinese-long-label", "label name wider than 'weighted avg'", y_true, noisy(rs, y_true, zh_long, 0.3))

    # code-point order: numpy sorts by code point, JS's default sort by UTF-16 unit
    odd = ["a", "Z", "＃", "😀", "é", "e"]
    y_true = [odd[v] for v in rs.randint(0, 6, 50)]
    single_label_case("code-point-order", "astral and full-width labels sort by code point", y_true, noisy(rs, y_true, odd, 0.4))

    # a label predicted but never true (support 0), and a true label never predicted
    y_true = ["cat"] * 6 + ["dog"] * 5 + ["bird"] * 3
    y_pred = ["cat", "cat", "cat", "cat", "spam", "dog", "dog", "dog", "cat", "spam", "dog", "cat", "cat", "dog"]
    single_label_case("predicted-never-true", "'spam' predicted but never true; 'bird' never predicted", y_true, y_pred)
    single_label_case(
        "zero-division-1", "same data, zero_division=1", y_true, y_pred, zero_division=1
    )

    # digits=4
    classes = ["alpha", "beta", "gamma", "delta", "epsilon"]
    y_true = [classes[v] for v in rs.randint(0, 5, 137)]
    y_pred = noisy(rs, y_true, classes, 0.45)
    single_label_case("digits-4", "five labels, digits=4", y_true, y_pred, digits=4)
    single_label_case("digits-0", "five labels, digits=0", y_true, y_pred, digits=0)

    # explicit labels: a subset (micro avg row), a superset with an absent label, a permutation (accuracy row)
    single_label_case("labels-subset", "labels= a subset: micro avg replaces accuracy", y_true, y_pred, labels=["gamma", "alpha"])
    single_label_case(
        "labels-superset", "labels= with an absent label", y_true, y_pred, labels=["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    )
    single_label_case(
        "labels-permutation", "labels= all present labels in another order: accuracy row", y_true, y_pred, labels=list(reversed(classes))
    )
    y_true = ["a", "a", "b", "b", "b"]
    y_pred = ["a", "b", "b", "a", "b"]
    single_label_case("labels-zero-support", "labels= only labels never true: weighted avg fallback", y_true, y_pred, labels=["c"])
    single_label_case(
        "labels-zero-support-zd1", "labels never true or predicted, zero_division=1", y_true, y_pred, labels=["c", "d"], zero_division=1
    )

    # exact binary ties in the formatted values: precision 1/8, 3/8, 5/8, recall 7/8, etc.
    y_true, y_pred = [], []
    for name, tp, fp, fn in [("p0625", 1, 15, 15), ("p125", 1, 7, 0), ("p375", 3, 5, 1), ("p625", 5, 3, 3), ("r875", 7, 1, 1)]:
        y_true += [name] * tp + [name] * fn
        y_pred += [name] * tp + ["sink"] * fn
        y_true += ["sink"] * fp
        y_pred += [name] * fp
    single_label_case("tie-rounding", "precision exactly 0.125, 0.375, 0.625", y_true, y_pred)
    single_label_case("tie-rounding-digits-3", "ties at three digits (0.0625 and similar)", y_true, y_pred, digits=3)
    single_label_case("tie-rounding-digits-1", "ties at one digit (0.25, 0.75)", y_true, y_pred, digits=1)

    # no example predicted correctly: sklearn's counts turn float and supports print as "3.0"
    y_true = ["a", "a", "a", "b", "b", "c"]
    y_pred = ["b", "c", "b", "a", "c", "a"]
    single_label_case("no-correct-predictions", "nothing right: supports print as floats", y_true, y_pred)
    single_label_case("no-correct-labels-subset", "nothing right, labels= subset", y_true, y_pred, labels=["c", "a"])
    single_label_case("no-correct-in-subset", "some right, but not within labels=", ["a", "b", "c"], ["a", "c", "b"], labels=["b", "c"])

    # one example
    single_label_case("single-example", "one example", ["yes"], ["no"])
    single_label_case("single-example-correct", "one example, correct", ["yes"], ["yes"])

    # CLINC-like: 150 intents, 3000 examples, argmax of noisy scores
    classes = sorted(["intent_%03d" % i for i in range(150)])
    y_true = [classes[v] for v in rs.randint(0, 150, 3000)]
    scores, y_pred = scored(rs, y_true, classes, 1.3)
    single_label_case("clinc-like-150", "150 intents, 3000 examples", y_true, y_pred, scores=(classes, scores, [1, 3, 5]))

    # multilabel: indicator semantics, micro/macro/weighted/samples avg, some empty label sets
    tags = ["价格", "物流", "质量", "服务", "包装"]
    y_true, y_pred = [], []
    for _ in range(80):
        t = [tag for tag in tags if rs.rand() < 0.3]
        p = [tag for tag in tags if (tag in t and rs.rand() < 0.75) or (tag not in t and rs.rand() < 0.15)]
        y_true.append(t)
        y_pred.append(p)
    multilabel_case("multilabel", "five tags, MultiLabelBinarizer", y_true, y_pred)
    multilabel_case("multilabel-labels-digits-3", "labels= subset, digits=3", y_true, y_pred, labels=["质量", "价格"], digits=3)
    multilabel_case("multilabel-zero-division-1", "zero_division=1 (empty sets score 1)", y_true, y_pred, zero_division=1)
    multilabel_case(
        "multilabel-small",
        "hand-written, with a tag never true",
        [["a", "b"], ["b"], [], ["c"]],
        [["a"], ["b", "d"], [], ["a", "c"]],
    )

    # Python's format(x, ".{d}f") rounds the exact binary value half to even
    values = [0.0, 1.0, 0.5, 1.5, 2.5, 0.125, 0.375, 0.625, 0.875, 0.0625, 0.1875, 0.3125, 0.03125, 0.015, 0.025,
              0.045, 1.005, 2.675, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 0.9999, 0.99999, 0.995, 0.9995, 5e-324, 1e-20,
              123.456, 1e22, 2.0**60 + 0.0, 0.3333333333333333, 0.8571428571428571, 1 - 2.0**-53]
    values += [k / 2.0**m for m in range(1, 12) for k in range(1, 2**m, 2) if m <= 6 or k % 37 == 1]
    values += list(rs.rand(200))
    cases = []
    for x in values:
        for d in range(0, 7):
            cases.append([float(x), d, format(float(x), ".%df" % d)])
    write("format-float", {"description": "format(x, '.{d}f')", "cases": cases})

    # numpy adds float64 pairwise; sklearn's macro/weighted/samples averages inherit that order
    sums = []
    for n in [1, 5, 7, 8, 9, 16, 100, 127, 128, 129, 300, 1000, 4099]:
        a = rs.rand(n) * rs.choice([1.0, 1e-9, 1e9], n)
        sums.append({"values": [float(v) for v in a], "sum": float(np.sum(a)), "mean": float(np.mean(a))})
    write("numpy-sum", {"description": "np.sum and np.mean of float64 arrays", "cases": sums})


if __name__ == "__main__":
    main()
