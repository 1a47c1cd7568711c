"""The scikit-learn peer of bench/defaults.ts: TF-IDF (sublinear tf) and a linear SVM.

python3 bench/tfidf-svm.py TRAIN.tsv TEST.tsv  ->  prints "accuracy seconds"
Each line of the files: label, a tab, the text.
"""
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf8") as f:
        for line in f:
            label, text = line.rstrip("\n").split("\t", 1)
            labels.append(label)
            texts.append(text)
    return texts, labels


train_texts, train_labels = read(sys.argv[1])
test_texts, test_labels = read(sys.argv[2])
t0 = time.time()
vectorizer = TfidfVectorizer(sublinear_tf=True)
model = LinearSVC().fit(vectorizer.fit_transform(train_texts), train_labels)
seconds = time.time() - t0
predicted = model.predict(vectorizer.transform(test_texts))
accuracy = sum(p == t for p, t in zip(predicted, test_labels)) / len(test_labels)
print(f"{accuracy} {seconds}")
