import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from public_ceiling import load_two_class  # noqa: E402


class LoadTwoClass(unittest.TestCase):
    def test_keeps_one_language_two_classes_and_never_a_reserved_line(self):
        rows = [
            {"lang": "zh", "label": "positive", "text": "房间很好", "line": 3},
            {"lang": "zh", "label": "negative", "text": "太吵了", "line": 20},  # reserved
            {"lang": "zh", "label": "negative", "text": "服务差", "line": 21},
            {"lang": "zh", "label": "neutral", "text": "一般般", "line": 5},
            {"lang": "en", "label": "positive", "text": "great", "line": 7},
            {"lang": "zh", "label": "positive", "text": "不错", "line": 0},  # reserved
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "train.jsonl"
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
            texts, labels = load_two_class(path, "zh")
        self.assertEqual(texts, ["房间很好", "服务差"])
        self.assertEqual(labels, [True, False])


if __name__ == "__main__":
    unittest.main()
