#!/usr/bin/env python3
"""Side by side on the text-held-out validation slice (target/corpora/valid.jsonl,
made by scripts/fetch-corpora.sh): two-class accuracy of voctag's bundled model,
SnowNLP's bundled sentiment (Chinese) and VADER (English), on the rows labelled
negative or positive.

Caveat, stated wherever these numbers are reported: SnowNLP's bundled model was
trained on all of its own corpus, test and validation lines included, so on the
Chinese rows it scores texts it has already seen.

Usage (from the repository root):
    python3 -m pip install snownlp==0.12.3 vaderSentiment==3.3.2 duckdb
    cargo build --release
    python3 scripts/compare_sentiment.py [--voctag target/release/voctag] [--valid target/corpora/valid.jsonl]
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--voctag", default="target/release/voctag")
    ap.add_argument("--valid", default="target/corpora/valid.jsonl")
    args = ap.parse_args()

    rows = [json.loads(l) for l in Path(args.valid).read_text(encoding="utf-8").splitlines() if l.strip()]
    rows = [r for r in rows if r["label"] in ("negative", "positive")]

    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "valid.jsonl"
        with open(inp, "w", encoding="utf-8") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps({"id": str(i), "text": r["text"]}, ensure_ascii=False) + "\n")
        out = Path(tmp) / "out"
        subprocess.run([args.voctag, "run", str(inp), "--out", str(out), "--quiet"], check=True)
        import duckdb

        scores = dict(
            duckdb.sql(f"select comment_id, sentiment_score from '{out}/comments.parquet'").fetchall()
        )

    try:
        from snownlp import SnowNLP
    except ImportError:
        SnowNLP = None
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        vader = SentimentIntensityAnalyzer()
    except ImportError:
        vader = None

    table = []
    for lang, peer_name in (("zh", "SnowNLP (saw these texts in training)"), ("en", "VADER")):
        sub = [(i, r) for i, r in enumerate(rows) if r["lang"] == lang]
        ours = sum((scores[str(i)] >= 0) == (r["label"] == "positive") for i, r in sub) / len(sub)
        peer = None
        if lang == "zh" and SnowNLP:
            peer = sum((SnowNLP(r["text"]).sentiments >= 0.5) == (r["label"] == "positive") for _, r in sub) / len(sub)
        if lang == "en" and vader:
            peer = sum((vader.polarity_scores(r["text"])["compound"] >= 0) == (r["label"] == "positive") for _, r in sub) / len(sub)
        table.append((lang, len(sub), ours, peer_name, peer))

    print("| language | rows | voctag two-class accuracy | peer | peer accuracy |")
    print("|---|---|---|---|---|")
    for lang, n, ours, name, peer in table:
        p = "not installed" if peer is None else f"{peer:.4f}"
        print(f"| {lang} | {n} | {ours:.4f} | {name} | {p} |")


if __name__ == "__main__":
    sys.exit(main())
