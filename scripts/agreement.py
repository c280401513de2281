#!/usr/bin/env python3
"""How far two labellings of the same comments agree, scored like `voctag eval`.

    python3 scripts/agreement.py testdata/eval/dev.jsonl testdata/eval/dev_relabel.jsonl

The first file is taken as the reference and only its comments whose ids
the second file also has are compared: theme detection micro P/R/F1 over
(comment, theme) pairs, theme + polarity F1 over (comment, theme,
polarity) triples, sentiment agreement, per language and per theme.
Standard library only.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def load(path: str) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {row["id"]: row for row in map(json.loads, f) if row}


def prf(reference: set, other: set) -> tuple[float, float, float]:
    both = len(reference & other)
    p = both / len(other) if other else 0.0
    r = both / len(reference) if reference else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def agreement(reference: dict[str, dict], other: dict[str, dict], lang: str | None = None) -> dict:
    pairs, other_pairs, triples, other_triples = set(), set(), set(), set()
    n = same_sentiment = 0
    for cid, o in other.items():
        g = reference.get(cid)
        if g is None or (lang and g["lang"] != lang):
            continue
        n += 1
        same_sentiment += g["sentiment"] == o["sentiment"]
        pairs |= {(cid, m["theme"]) for m in g["themes"]}
        other_pairs |= {(cid, m["theme"]) for m in o["themes"]}
        triples |= {(cid, m["theme"], m["polarity"]) for m in g["themes"]}
        other_triples |= {(cid, m["theme"], m["polarity"]) for m in o["themes"]}
    p, r, f = prf(pairs, other_pairs)
    return {
        "comments": n,
        "theme": {"precision": p, "recall": r, "f1": f},
        "theme_polarity_f1": prf(triples, other_triples)[2],
        "sentiment_agreement": same_sentiment / n if n else 0.0,
    }


def per_theme(reference: dict[str, dict], other: dict[str, dict]) -> dict[str, tuple[int, int, float]]:
    """Theme -> (reference count, other count, F1) over the shared comments."""
    ref, oth, both = Counter(), Counter(), Counter()
    for cid, o in other.items():
        g = reference.get(cid)
        if g is None:
            continue
        a, b = {m["theme"] for m in g["themes"]}, {m["theme"] for m in o["themes"]}
        ref.update(a)
        oth.update(b)
        both.update(a & b)
    return {t: (ref[t], oth[t], 2 * both[t] / (ref[t] + oth[t])) for t in sorted(ref | oth)}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    reference, other = load(argv[1]), load(argv[2])
    for lang in (None, "zh", "en"):
        a = agreement(reference, other, lang)
        t = a["theme"]
        print(
            f"{lang or 'all':4} {a['comments']:4} comments  theme P {t['precision']:.3f} "
            f"R {t['recall']:.3f} F1 {t['f1']:.3f}  theme+polarity F1 "
            f"{a['theme_polarity_f1']:.3f}  sentiment agreement {a['sentiment_agreement']:.3f}"
        )
    print()
    for theme, (r, o, f) in sorted(per_theme(reference, other).items(), key=lambda kv: -kv[1][0]):
        print(f"{theme:20} {r:4} {o:4}  F1 {f:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
