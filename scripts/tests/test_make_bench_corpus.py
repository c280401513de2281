"""Tests for scripts/make_bench_corpus.py (standard library only).

Run from the repository root:
    python3 -m unittest discover -s scripts/tests -v
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCRIPTS))

import make_bench_corpus as mbc  # noqa: E402

ZH = [f"第{i}条评论，物流太慢了，客服态度还行" for i in range(40)]
EN = [f"review number {i}: the hotline kept me on hold" for i in range(40)]
SAMPLE = ["回复很快，点赞", "The app keeps crashing", "客服response太慢了"]


def write_train(path: Path, extra: list[dict] | None = None) -> None:
    rows = []
    line = 1
    for lang, texts in (("zh", ZH), ("en", EN)):
        for t in texts:
            if line % 10 == 0:
                line += 1
            rows.append({"text": t, "lang": lang, "label": "negative", "source": f"{lang}.txt", "line": line})
            line += 1
    rows += extra or []
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def write_sample(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "channel"])
        for i, t in enumerate(SAMPLE):
            w.writerow([f"C{i}", t, "web"])


class MakeBenchCorpus(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.train = self.tmp / "train.jsonl"
        self.sample = self.tmp / "sample.csv"
        write_train(self.train)
        write_sample(self.sample)

    def rows(self, path: Path) -> list[dict]:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def test_a_reserved_split_row_stops_the_build(self):
        write_train(self.train, [{"text": "保留行", "lang": "zh", "label": "negative", "source": "zh.txt", "line": 20}])
        with self.assertRaises(mbc.ReservedLineError):
            mbc.make_corpus(self.train, self.sample, self.tmp / "out", 0.05)
        self.assertFalse((self.tmp / "out" / "corpus.csv").exists())

    def test_size_proportions_and_sources(self):
        m = mbc.make_corpus(self.train, self.sample, self.tmp / "out", 0.3)
        path = self.tmp / "out" / "corpus.csv"
        self.assertGreaterEqual(path.stat().st_size, 300_000)
        self.assertEqual(m["csv"]["bytes"], path.stat().st_size)
        rows = self.rows(path)
        self.assertEqual(len(rows), m["csv"]["rows"])
        self.assertEqual(len({r["id"] for r in rows}), len(rows), "ids are unique")
        share = m["csv"]["share_by_kind"]
        self.assertAlmostEqual(share["zh"], 0.6 * 0.98, delta=0.04)
        self.assertAlmostEqual(share["en"], 0.3 * 0.98, delta=0.04)
        self.assertAlmostEqual(share["mixed"], 0.1 * 0.98, delta=0.03)
        known = set(ZH) | set(EN) | set(SAMPLE)
        for r in rows:
            t = r["text"]
            if t in known:
                continue
            self.assertTrue(
                any(t.startswith(z) or t.endswith(z) for z in ZH) and any(e in t for e in EN),
                f"{t!r} is neither a training/sample text nor a zh+en join",
            )

    def test_same_inputs_same_bytes(self):
        a = mbc.make_corpus(self.train, self.sample, self.tmp / "a", 0.05)
        b = mbc.make_corpus(self.train, self.sample, self.tmp / "b", 0.05)
        self.assertEqual(a["csv"]["sha256"], b["csv"]["sha256"])

    def test_big_corpus_repeats_with_fresh_ids(self):
        mbc.make_corpus(self.train, self.sample, self.tmp / "out", 0.02)
        big = mbc.make_big(self.tmp / "out" / "corpus.csv", self.tmp / "out" / "big.csv", 0.0001)
        self.assertGreaterEqual(big["bytes"], 100_000)
        self.assertGreater(big["repeats"], 1)
        rows = self.rows(self.tmp / "out" / "big.csv")
        self.assertEqual(len(rows), big["rows"])
        self.assertEqual(len({r["id"] for r in rows}), len(rows))


if __name__ == "__main__":
    unittest.main()
