#!/usr/bin/env python3
"""The Python peer of scripts/compare.sh: voctag's job done the usual way.

For each comment of a sample of the bench corpus: ``jieba.lcut`` (segmentation,
as voctag does), keyword matching of voctag's own theme terms (read from
``lexicons/themes/*.toml``; a theme is mentioned when one of its terms occurs
in the lower-cased text), and ``SnowNLP(text).sentiments`` for the comment's
sentiment. One
process, one thread: the usual script.

Only the per-comment loop is timed; importing, loading jieba's dictionary and
reading the lexicons happen before the clock starts, so the peer's rate is, if
anything, flattering. Prints one JSON object on stdout.

    python_peer.py CORPUS.csv --lexicons lexicons/themes --sample 2000
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import tomllib
from pathlib import Path


def load_terms(themes_dir: Path) -> dict[str, list[str]]:
    terms: dict[str, list[str]] = {}
    for path in sorted(themes_dir.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        terms[data["id"]] = [t["term"].rstrip("*").strip().lower() for t in data.get("terms", [])]
    return terms


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("corpus", type=Path)
    p.add_argument("--lexicons", type=Path, required=True)
    p.add_argument("--sample", type=int, default=2000)
    args = p.parse_args()

    t0 = time.perf_counter()
    import jieba  # noqa: PLC0415  (timed as start-up)
    from snownlp import SnowNLP  # noqa: PLC0415

    jieba.setLogLevel(60)
    jieba.initialize()
    themes = load_terms(args.lexicons)
    with args.corpus.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] for _, row in zip(range(args.sample), csv.DictReader(f))]
    SnowNLP("预热").sentiments  # loads its model
    startup = time.perf_counter() - t0

    t1 = time.perf_counter()
    tokens = 0
    mentions = 0
    positive = 0
    for text in texts:
        tokens += len(jieba.lcut(text))
        low = text.lower()
        for kws in themes.values():
            if any(k in low for k in kws):
                mentions += 1
        if text.strip() and SnowNLP(text).sentiments > 0.5:
            positive += 1
    secs = time.perf_counter() - t1
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    json.dump(
        {
            "comments": len(texts),
            "text_bytes": nbytes,
            "secs": round(secs, 4),
            "startup_secs": round(startup, 4),
            "comments_per_s": round(len(texts) / secs, 1),
            "mb_per_s": round(nbytes / 1e6 / secs, 4),
            "tokens": tokens,
            "theme_mentions": mentions,
            "positive": positive,
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
