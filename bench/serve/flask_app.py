"""The seed's stack for bench:serve: Flask, served by gunicorn, predicting with a pickled
scikit-learn pipeline. Same request and answer shape as textkit's predict route.

SKLEARN_MODEL=model.pkl gunicorn -w 2 -b 127.0.0.1:8091 --chdir bench/serve flask_app:app
"""
import os
import pickle

from flask import Flask, jsonify, request

with open(os.environ["SKLEARN_MODEL"], "rb") as f:
    model = pickle.load(f)
classes = list(model.classes_)
app = Flask(__name__)


@app.post("/v1/models/<name>/predict")
def predict(name):
    body = request.get_json(force=True)
    texts = body.get("inputs") or [body["text"]]
    k = int(body.get("k", 1))
    probabilities = model.predict_proba(texts)
    outputs = []
    for row in probabilities:
        best = row.argsort()[::-1][:k]
        outputs.append({"labels": [classes[i] for i in best], "scores": [float(row[i]) for i in best]})
    return jsonify({"model": name, "version": "1", "outputs": outputs})
