"""Checks a labelled round file: python3 validate.py FILE

FILE lies in a round's scratch directory, one folder per labeller
(/work/r14/zh/round14_zh.jsonl): a text already in testdata/ or in another
labeller's file of the same directory is rejected."""
import json, sys, glob, unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
THEMES = {"response_speed","reachability","transfers","resolution","staff_attitude","staff_knowledge",
 "communication","follow_up","process_complexity","self_service","chatbot","product_quality","price_value",
 "billing_refund","delivery","installation","after_sales","facilities"}
POL = {"negative","neutral","positive"}
def norm(t): return " ".join(unicodedata.normalize("NFKC", t).split()).lower()
path = Path(sys.argv[1]).resolve()
round_dir = path.parent.parent
known = set()
for f in glob.glob(str(REPO / "testdata/**/*.jsonl"), recursive=True):
    for line in open(f, encoding="utf-8"):
        if line.strip():
            try: known.add(norm(json.loads(line)["text"]))
            except Exception: pass
for f in [Path(g) for g in glob.glob(str(round_dir / "*/*.jsonl")) if not g.endswith("candidates.jsonl")]:
    if f.resolve() != path:
        for line in open(f, encoding="utf-8"):
            if line.strip():
                try: known.add(norm(json.loads(line)["text"]))
                except Exception: pass
problems = []; ids = set(); texts = set(); n = 0
for i, line in enumerate(open(path, encoding="utf-8"), 1):
    if not line.strip(): problems.append(f"line {i}: blank line"); continue
    try: r = json.loads(line)
    except Exception as e: problems.append(f"line {i}: bad JSON {e}"); continue
    n += 1
    for k in ("id","lang","text","sentiment","themes"):
        if k not in r: problems.append(f"line {i}: missing {k}")
    extra = set(r) - {"id","lang","text","sentiment","themes","source","line"}
    if extra: problems.append(f"line {i}: unknown fields {extra}")
    if r.get("id") in ids: problems.append(f"line {i}: duplicate id {r.get('id')}")
    ids.add(r.get("id"))
    t = r.get("text","")
    if not t.strip(): problems.append(f"line {i}: empty text")
    if norm(t) in texts: problems.append(f"line {i}: duplicate text in file")
    texts.add(norm(t))
    if norm(t) in known: problems.append(f"line {i}: text already in testdata or another file of this round")
    if r.get("lang") not in ("zh","en"): problems.append(f"line {i}: lang {r.get('lang')}")
    if r.get("sentiment") not in POL: problems.append(f"line {i}: sentiment {r.get('sentiment')}")
    seen = set()
    for m in r.get("themes", []):
        if set(m) != {"theme","polarity","evidence"}: problems.append(f"line {i}: mention fields {set(m)}")
        if m.get("theme") not in THEMES: problems.append(f"line {i}: unknown theme {m.get('theme')}")
        if m.get("polarity") not in POL: problems.append(f"line {i}: polarity {m.get('polarity')}")
        if not m.get("evidence") or m.get("evidence") not in t: problems.append(f"line {i}: evidence not a substring: {m.get('evidence')!r}")
        key = (m.get("theme"), m.get("polarity"))
        if key in seen: problems.append(f"line {i}: duplicate (theme, polarity) {key}")
        seen.add(key)
    if isinstance(r.get("line"), int) and r["line"] % 10 == 0: problems.append(f"line {i}: corpus line {r['line']} is in the reserved test split")
for p in problems: print(p)
print(f"{n} rows, {len(problems)} problems")
sys.exit(1 if problems else 0)
