#!/usr/bin/env python3
"""Weighs a fine-tuned encoder's theme probabilities (the --out file of
scripts/finetune_themes.py) against voctag's own themes, at the comment
level, on English comments: the check behind models/README.md's "Session
29". Not part of voctag.

A theme is kept or added by the rule voctag would follow with the encoder
as a second opinion: from ADD up the encoder adds or keeps it; below VETO it
drops it; between, voctag's reading stands.

    voctag run GOLD... -o RUN --model M           # voctag's themes
    python3 scripts/theme_ensemble.py PROBS.jsonl RUN GOLD...          # grid
    python3 scripts/theme_ensemble.py PROBS.jsonl RUN GOLD... --fix 0.05,0.6

Needs duckdb (PyPI) to read the run's mentions.parquet.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from finetune_themes import load_rows, micro_prf  # noqa: E402

VETOES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)
ADDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def combine(found, probability, veto, add):
    """The themes of one comment: those of `found` the encoder does not
    veto, and every theme it is sure of."""
    kept = {t for t in found if probability.get(t, veto) >= veto}
    return kept | {t for t, p in probability.items() if p >= add}


def micro_f1(pred, gold):
    """Theme F1 over (comment, theme) pairs; `pred` and `gold` map each
    comment to its themes."""
    return micro_prf([pred[k] for k in gold], [gold[k] for k in gold])[2]


def load_gold(files):
    """(file name, id) -> themes of the English labelled comments."""
    return {(r["file"], r["id"]): set(r["themes"]) for r in load_rows(files, "en")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("probabilities")
    ap.add_argument("run", help="voctag run directory over the gold files")
    ap.add_argument("gold", nargs="+")
    ap.add_argument("--fix", help="VETO,ADD: score one setting instead of the grid")
    args = ap.parse_args()

    import duckdb

    gold = load_gold(args.gold)
    probability = {}
    for raw in Path(args.probabilities).read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        if (row["file"], row["id"]) in gold:
            probability[(row["file"], row["id"])] = row["p"]
    missing = len(gold) - len(probability)
    if missing:
        raise SystemExit(f"{missing} gold comments have no probabilities in {args.probabilities}")
    found = {k: set() for k in gold}
    query = f"select source_file, comment_id, theme from '{args.run}/mentions.parquet'"
    for source, comment, theme in duckdb.sql(query).fetchall():
        if (Path(source).name, comment) in found:
            found[(Path(source).name, comment)].add(theme)

    print(f"{len(gold)} English comments")
    print(f"voctag alone           theme F1 {micro_f1(found, gold):.3f}")
    for t in (0.3, 0.4, 0.5):
        alone = {k: {x for x, p in probability[k].items() if p >= t} for k in gold}
        print(f"encoder alone at {t:.1f}   theme F1 {micro_f1(alone, gold):.3f}")
    settings = [tuple(map(float, args.fix.split(",")))] if args.fix else [(v, a) for v in VETOES for a in ADDS]
    scored = sorted(
        ((micro_f1({k: combine(found[k], probability[k], v, a) for k in gold}, gold), v, a) for v, a in settings),
        reverse=True,
    )
    for f1, veto, add in scored[:5]:
        print(f"veto {veto:.2f} add {add:.2f}    theme F1 {f1:.3f}")


if __name__ == "__main__":
    main()
