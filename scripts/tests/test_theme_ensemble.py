import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from theme_ensemble import combine, micro_f1  # noqa: E402


class Combine(unittest.TestCase):
    def test_the_encoder_overrules_only_where_it_is_sure(self):
        found = {"billing_refund", "staff_attitude", "delivery"}
        p = {"billing_refund": 0.01, "staff_attitude": 0.3, "transfers": 0.9, "chatbot": 0.5}
        # billing_refund vetoed (0.01 < 0.05); staff_attitude kept (between);
        # delivery kept (the encoder has no opinion); transfers added
        # (0.9 >= 0.6); chatbot not added (0.5 < 0.6).
        self.assertEqual(combine(found, p, 0.05, 0.6), {"staff_attitude", "delivery", "transfers"})

    def test_veto_zero_and_add_above_one_leave_voctag_alone(self):
        found = {"a", "b"}
        self.assertEqual(combine(found, {"a": 0.0, "c": 0.99}, 0.0, 1.1), found)


class MicroF1(unittest.TestCase):
    def test_pairs_over_comments(self):
        gold = {1: {"a"}, 2: {"b", "c"}}
        pred = {1: {"a", "x"}, 2: {"b"}}
        # tp 2, fp 1, fn 1 -> 4 / 6.
        self.assertAlmostEqual(micro_f1(pred, gold), 4 / 6)


if __name__ == "__main__":
    unittest.main()
