#!/usr/bin/env python3
"""Split the labelled eval comments once into dev (tune on it) and holdout
(report only).

The split is by a hash of the comment id, so it is fixed and independent of
file order: holdout = first byte of sha256(id) < 102 (about 40%). Run from the
repository root:

    python3 scripts/split_eval.py testdata/eval/raw_zh.jsonl testdata/eval/raw_en.jsonl

writes testdata/eval/dev.jsonl and testdata/eval/holdout.jsonl, sorted by id.
"""
import hashlib
import json
import sys
from pathlib import Path

HOLDOUT_BELOW = 102  # of 256


def is_holdout(comment_id: str) -> bool:
    return hashlib.sha256(comment_id.encode("utf-8")).digest()[0] < HOLDOUT_BELOW


def main(paths):
    rows = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "ids must be unique"
    rows.sort(key=lambda r: r["id"])
    out = Path("testdata/eval")
    for name, keep in (("dev", False), ("holdout", True)):
        part = [r for r in rows if is_holdout(r["id"]) == keep]
        with open(out / f"{name}.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)} comments")


if __name__ == "__main__":
    main(sys.argv[1:])
