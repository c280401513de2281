import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from finetune_themes import load_rows, micro_prf  # noqa: E402


class LoadRows(unittest.TestCase):
    def test_keeps_labelled_rows_of_the_language_with_file_and_id(self):
        rows = [
            {"id": "a", "lang": "en", "text": "Slow REPLY", "themes": [{"theme": "response_speed"}, {"theme": "response_speed"}]},
            {"id": "b", "lang": "en", "text": "no themes field"},
            {"id": "c", "lang": "zh", "text": "房间很脏", "themes": [{"theme": "facilities"}]},
            {"id": "d", "lang": "en", "text": "nothing", "themes": []},
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "round19_en.jsonl"
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
            got = load_rows([path], "en")
        self.assertEqual(got, [
            {"file": "round19_en.jsonl", "id": "a", "text": "Slow REPLY", "themes": ["response_speed"]},
            {"file": "round19_en.jsonl", "id": "d", "text": "nothing", "themes": []},
        ])


class MicroPrf(unittest.TestCase):
    def test_counts_pairs_over_comments(self):
        # Comment 1: one hit, one false alarm; comment 2: one miss; comment 3:
        # nothing either side. tp 1, fp 1, fn 1 -> P 1/2, R 1/2, F1 2/4.
        pred = [{"billing", "staff"}, set(), set()]
        gold = [{"billing"}, {"transfers"}, set()]
        self.assertEqual(micro_prf(pred, gold), (0.5, 0.5, 0.5))

    def test_precision_and_recall_differ_when_errors_are_one_sided(self):
        # tp 2, fp 2, fn 0 -> P 0.5, R 1, F1 4/6.
        pred = [{"a", "b", "c", "d"}]
        gold = [{"a", "b"}]
        precision, recall, f1 = micro_prf(pred, gold)
        self.assertEqual((precision, recall), (0.5, 1.0))
        self.assertAlmostEqual(f1, 4 / 6)


if __name__ == "__main__":
    unittest.main()
