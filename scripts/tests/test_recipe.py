"""The training command in models/README.md ("Reproduce") is the one
scripts/reproduce-model.sh runs: same data files, weights, order and options.
Each round adds lines to both; this catches one copy left behind."""
import os
import re
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def train_args(text):
    """The `train` command's options, with the corpora directory and the
    output path (which differ by design) folded to placeholders."""
    start = text.index(" train ")
    end = text.index("--out", start)
    command = text[start:end].replace("\\\n", " ")
    command = command.replace('"$corpora/', "CORPORA/").replace("target/corpora/", "CORPORA/")
    command = command.replace('"', "")
    return re.findall(r"--[a-z0-9-]+(?: [^ -][^ ]*)?", command)


class RecipeTest(unittest.TestCase):
    def test_models_readme_matches_the_script(self):
        readme = (ROOT / "models/README.md").read_text(encoding="utf-8")
        reproduce = readme[readme.index("## Reproduce"):]
        script = (ROOT / "scripts/reproduce-model.sh").read_text(encoding="utf-8")
        documented, run = train_args(reproduce), train_args(script)
        self.assertGreater(len([a for a in run if a.startswith("--data")]), 20)
        self.assertEqual(documented, run)

    def test_leave_round_out_trains_by_the_recipe_without_the_round(self):
        script = (ROOT / "scripts/reproduce-model.sh").read_text(encoding="utf-8")
        recipe = " ".join(train_args(script)).replace("CORPORA/", "target/corpora/").split()
        printed = subprocess.run(
            ["bash", str(ROOT / "scripts/leave-round-out.sh"), "round8", "--print"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "VOCTAG_CORPORA_DIR": "target/corpora"},
        ).stdout.split()
        dropped = [w for w in recipe if "/round8_" in w]
        self.assertEqual(len(dropped), 3)
        # The recipe, word for word, but for the round's --data options.
        kept = []
        for i, word in enumerate(recipe):
            if "/round8_" in word or (word == "--data" and "/round8_" in recipe[i + 1]):
                continue
            kept.append(word)
        self.assertEqual(printed, kept)


if __name__ == "__main__":
    unittest.main()
