import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from theme_ceiling import load, split_files  # noqa: E402


class SplitFiles(unittest.TestCase):
    def test_tests_on_rounds_19_to_23_and_never_reads_the_unseen_sets(self):
        names = [
            "round5_en.jsonl", "round19_en.jsonl", "round23_zh2.jsonl", "round25_en.jsonl",
            "round25_reviews.jsonl", "litotes.jsonl", "zh_written.jsonl",
        ]
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "testdata/sentiment").mkdir(parents=True)
            (Path(tmp) / "testdata/eval").mkdir(parents=True)
            for name in names + ["../eval/dev.jsonl"]:
                (Path(tmp) / "testdata/sentiment" / name).write_text("", encoding="utf-8")
            train, test = split_files(tmp)
        self.assertEqual([f.name for f in train], ["round5_en.jsonl", "zh_written.jsonl", "dev.jsonl"])
        self.assertEqual([f.name for f in test], ["round19_en.jsonl", "round23_zh2.jsonl"])

    def test_load_keeps_rows_with_themes_in_the_language_asked(self):
        rows = [
            {"lang": "en", "text": "Slow REPLY", "themes": [{"theme": "response_speed"}]},
            {"lang": "en", "text": "no themes field"},
            {"lang": "zh", "text": "房间很脏", "themes": [{"theme": "facilities"}]},
            {"lang": "en", "text": "nothing", "themes": []},
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "a.jsonl"
            path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
            texts, themes, langs = load([path], "en")
        self.assertEqual(texts, ["slow reply", "nothing"])
        self.assertEqual(themes, [{"response_speed"}, set()])
        self.assertEqual(langs, ["en", "en"])


if __name__ == "__main__":
    unittest.main()
