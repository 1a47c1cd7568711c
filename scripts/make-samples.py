"""Builds samples/intents/ from CLINC150 (CC BY 3.0) in ../shared/data/clinc150.

Run: python3 scripts/make-samples.py   (any Python 3; standard library only)
"""
import csv
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "clinc150" / "data_full.json"
OUT = ROOT / "samples" / "intents"
INTENTS = [
    "balance", "bill_balance", "card_declined", "credit_limit", "freeze_account",
    "interest_rate", "pay_bill", "pin_change", "report_fraud", "routing",
    "spending_history", "transactions", "transfer", "min_payment", "exchange_rate",
    "book_flight", "weather", "timer", "alarm", "translate",
]

data = json.loads(SOURCE.read_text(encoding="utf-8"))
OUT.mkdir(parents=True, exist_ok=True)
for split, key in (("train", "train"), ("dev", "val"), ("test", "test")):
    rows = [(text, label) for text, label in data[key] if label in INTENTS]
    with open(OUT / f"{split}.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    print(split, len(rows))
