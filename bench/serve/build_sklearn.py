"""Builds the seed stack's model for bench:serve: TF-IDF (word 1-2 grams) + logistic
regression on the same training texts textkit's model learns from, pickled.

python3 bench/serve/build_sklearn.py TRAIN.tsv MODEL.pkl   (TRAIN.tsv: label<TAB>text)
"""
import pickle
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline


def main(train_path: str, model_path: str) -> None:
    labels, texts = [], []
    with open(train_path, encoding="utf-8") as f:
        for line in f:
            label, text = line.rstrip("\n").split("\t", 1)
            labels.append(label)
            texts.append(text)
    started = time.time()
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=1000, C=10.0),
    )
    model.fit(texts, labels)
    with open(model_path, "wb") as f:
        pickle.dump(model, f)
    print(f"trained on {len(texts)} texts in {time.time() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
