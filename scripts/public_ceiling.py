#!/usr/bin/env python3
"""How far another model family gets on the public validation slice: the
check behind models/README.md's "Is the public slice's 0.90 within reach of
another model family?" (session 27). Not part of voctag; nothing here is
shipped or trained into the model.

Trains on the rows of target/corpora/train.jsonl labelled negative or
positive in one language and reports two-class accuracy on the same
language's rows of valid.jsonl (the slice of scripts/compare_sentiment.py):
tf-idf n-grams with logistic regression, and a network with one hidden layer.
Rows whose 0-based corpus line is a multiple of 10 (the reserved test split)
are skipped here again, although fetch-corpora.sh already drops them.

Usage (from the repository root; the network takes minutes on one core):
    python3 -m pip install scikit-learn
    python3 scripts/public_ceiling.py zh
    python3 scripts/public_ceiling.py en
"""
import argparse
import json
from pathlib import Path


def load_two_class(path, lang):
    """(texts, is_positive) of the rows in `lang` labelled negative or
    positive, never a reserved line (0-based `line` a multiple of 10)."""
    texts, labels = [], []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        row = json.loads(raw)
        if row["lang"] != lang or row["label"] not in ("negative", "positive"):
            continue
        if row["line"] % 10 == 0:
            continue
        texts.append(row["text"])
        labels.append(row["label"] == "positive")
    return texts, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lang", choices=("zh", "en"))
    ap.add_argument("--corpora", default="target/corpora")
    args = ap.parse_args()

    # Imported here so that the loader's tests need no scikit-learn.
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    train_x, train_y = load_two_class(Path(args.corpora) / "train.jsonl", args.lang)
    valid_x, valid_y = load_two_class(Path(args.corpora) / "valid.jsonl", args.lang)
    train_y, valid_y = np.array(train_y), np.array(valid_y)
    print(f"{args.lang}: train {len(train_x)}, valid {len(valid_x)}", flush=True)
    # Characters for Chinese (no segmenter needed), words for English.
    if args.lang == "zh":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=60000)
    else:
        vectorizer = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60000)
    train_m = vectorizer.fit_transform(train_x)
    valid_m = vectorizer.transform(valid_x)
    models = {
        "logistic regression, C 4": LogisticRegression(C=4, max_iter=2000),
        "one hidden layer of 128, alpha 1e-3": MLPClassifier(
            hidden_layer_sizes=(128,), alpha=1e-3, early_stopping=True, random_state=0, max_iter=30
        ),
    }
    for name, model in models.items():
        model.fit(train_m, train_y)
        print(f"{name}: {(model.predict(valid_m) == valid_y).mean():.4f}", flush=True)


if __name__ == "__main__":
    main()
