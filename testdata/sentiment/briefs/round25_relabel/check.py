#!/usr/bin/env python3
"""check.py INPUT OUTPUT: every input id labelled once, fields valid, evidence an exact substring."""
import json, sys
THEMES = set("response_speed reachability transfers resolution staff_attitude staff_knowledge communication follow_up process_complexity self_service chatbot product_quality price_value billing_refund delivery installation after_sales facilities".split())
POL = {"negative", "neutral", "positive"}
inp = {d["id"]: d for d in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
seen, problems = set(), []
for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    try:
        d = json.loads(line)
    except Exception as e:
        problems.append(f"line {n}: not JSON: {e}"); continue
    i = d.get("id")
    if i not in inp: problems.append(f"line {n}: unknown id {i!r}"); continue
    if i in seen: problems.append(f"line {n}: id {i} twice")
    seen.add(i)
    if d.get("text") != inp[i]["text"]: problems.append(f"line {n}: text differs from input for {i}")
    if d.get("sentiment") not in POL: problems.append(f"line {n}: sentiment {d.get('sentiment')!r}")
    pairs = set()
    for t in d.get("themes", []):
        if t.get("theme") not in THEMES: problems.append(f"line {n}: theme {t.get('theme')!r}")
        if t.get("polarity") not in POL: problems.append(f"line {n}: polarity {t.get('polarity')!r}")
        if t.get("evidence", "") == "" or t["evidence"] not in inp[i]["text"]: problems.append(f"line {n}: evidence not a substring: {t.get('evidence')!r}")
        k = (t.get("theme"), t.get("polarity"))
        if k in pairs: problems.append(f"line {n}: {k} twice")
        pairs.add(k)
missing = set(inp) - seen
if missing: problems.append(f"{len(missing)} ids missing, e.g. {sorted(missing)[:5]}")
print("\n".join(problems) if problems else f"ok: {len(seen)} rows")
