"""Tests for scripts/agreement.py, on cases worked out by hand.

Run from the repository root:
    python3 -m unittest discover -s scripts/tests -v
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import agreement as ag  # noqa: E402


def row(cid, lang, sentiment, *themes):
    return {
        "id": cid,
        "lang": lang,
        "sentiment": sentiment,
        "themes": [{"theme": t, "polarity": p} for t, p in themes],
    }


REFERENCE = {
    "a": row("a", "zh", "negative", ("response_speed", "negative"), ("transfers", "negative")),
    "b": row("b", "en", "positive", ("staff_attitude", "positive")),
    "c": row("c", "en", "neutral"),
    "d": row("d", "zh", "negative", ("delivery", "negative")),  # not relabelled
}
OTHER = {
    # One theme shared, one missed, one extra; sentiment agrees.
    "a": row("a", "zh", "negative", ("response_speed", "negative"), ("reachability", "negative")),
    # Right theme, wrong polarity; sentiment differs.
    "b": row("b", "en", "neutral", ("staff_attitude", "neutral")),
    "c": row("c", "en", "neutral"),
}


class AgreementTest(unittest.TestCase):
    def test_scores_shared_comments_only(self):
        a = ag.agreement(REFERENCE, OTHER)
        self.assertEqual(a["comments"], 3)
        # Pairs: reference {a.rs, a.tr, b.sa}, other {a.rs, a.re, b.sa}: 2 shared.
        self.assertAlmostEqual(a["theme"]["precision"], 2 / 3)
        self.assertAlmostEqual(a["theme"]["recall"], 2 / 3)
        self.assertAlmostEqual(a["theme"]["f1"], 2 / 3)
        # Triples: only a.rs.negative is shared: P = R = 1/3.
        self.assertAlmostEqual(a["theme_polarity_f1"], 1 / 3)
        self.assertAlmostEqual(a["sentiment_agreement"], 2 / 3)

    def test_per_language(self):
        en = ag.agreement(REFERENCE, OTHER, "en")
        self.assertEqual(en["comments"], 2)
        self.assertEqual(en["theme"]["f1"], 1.0)
        self.assertEqual(en["theme_polarity_f1"], 0.0)
        self.assertAlmostEqual(en["sentiment_agreement"], 0.5)

    def test_per_theme(self):
        t = ag.per_theme(REFERENCE, OTHER)
        self.assertEqual(t["response_speed"], (1, 1, 1.0))
        self.assertEqual(t["transfers"], (1, 0, 0.0))
        self.assertEqual(t["reachability"], (0, 1, 0.0))
        self.assertNotIn("delivery", t)


if __name__ == "__main__":
    unittest.main()
