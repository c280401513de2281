#!/usr/bin/env bash
# Side-by-side comparison on one corpus and one thread count, in one go:
#   1. raw jieba-rs `cut` over the same texts (the floor segmentation sets),
#   2. `voctag run` end to end, CSV in -> Parquet out, on N threads,
#   3. the same with --threads 1 (and the floor on 1 thread),
#   4. a Python peer (jieba.lcut + keyword matching + SnowNLP) on a sample,
# then one Markdown table and the issue #6 targets, on stdout.
#
# Usage: scripts/compare.sh [--corpus FILE.csv] [--threads N] [--runs R]
#                           [--python-sample K] [--no-python] [--big]
#   --corpus         default target/bench/corpus.csv (scripts/make-bench-corpus.sh)
#   --threads        default: all cores (nproc)
#   --runs           each measurement is run R times, the fastest counts (default 3)
#   --python-sample  comments for the Python peer (default 1000)
#   --no-python      skip the Python peer
#   --big            also run voctag on target/bench/corpus_big.csv (make it
#                    with scripts/make-bench-corpus.sh --big-gb 2) for peak RSS
set -euo pipefail

corpus=
threads=$(nproc)
runs=3
py_sample=1000
python=1
big=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --corpus) corpus=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --python-sample) py_sample=$2; shift 2 ;;
        --no-python) python=0; shift ;;
        --big) big=1; shift ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare: unknown argument $1" >&2; exit 2 ;;
    esac
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
corpus=${corpus:-target/bench/corpus.csv}
[[ -f $corpus ]] || { echo "compare: $corpus missing; run scripts/make-bench-corpus.sh" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "compare: /usr/bin/time is needed for peak RSS (apt-get install time)" >&2; exit 1; }

log() { printf 'compare: %s\n' "$*" >&2; }

log "building (release)"
cargo build --quiet --release --locked --bin voctag --example jieba_cut

work=$(mktemp -d "${TMPDIR:-/tmp}/voctag-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
results=$work/results.jsonl
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# best_of NAME CMD...: runs CMD $runs times; keeps the JSON line of the fastest.
floor() {
    local t=$1 best= i line
    for ((i = 0; i < runs; i++)); do
        line=$(target/release/examples/jieba_cut "$corpus" --threads "$t")
        best=$(printf '%s\n%s\n' "$best" "$line" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps(min(rows, key=lambda r: r["secs"])))')
    done
    printf '{"what":"floor","threads":%s,"data":%s}\n' "$t" "$best" >>"$results"
}

voctag_run() {
    local t=$1 input=$2 what=$3 i
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -v -o "$work/time.txt" target/release/voctag run "$input" \
            --out "$work/out" --quiet --threads "$t" --report json >"$work/report.json"
        python3 - "$work/time.txt" "$work/report.json" "$work/out" "$input" "$t" "$what" >>"$results" <<'EOF'
import json, os, re, sys
time_txt, report, out, input_path, threads, what = sys.argv[1:]
t = open(time_txt).read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
r = json.load(open(report))
print(json.dumps({
    "what": what, "threads": int(threads), "secs": secs,
    "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    "cpu": field("Percent of CPU this job got"),
    "comments": r["rows_analysed"], "mentions": r["mentions"],
    "input_bytes": os.path.getsize(input_path),
    "output_bytes": sum(os.path.getsize(os.path.join(out, f)) for f in ("comments.parquet", "mentions.parquet")),
    "cpu_secs": float(field("User time (seconds)")) + float(field("System time (seconds)")),
    "startup_ms": r["timings_ms"]["startup"], "timings_ms": r["timings_ms"],
}))
EOF
    done
}

log "floor: jieba-rs cut, $threads threads and 1 thread"
floor "$threads"
[[ $threads == 1 ]] || floor 1
log "voctag run, $threads threads"
voctag_run "$threads" "$corpus" voctag
if [[ $threads != 1 ]]; then
    log "voctag run, 1 thread"
    voctag_run 1 "$corpus" voctag
fi
if [[ $big == 1 ]]; then
    if [[ -f target/bench/corpus_big.csv ]]; then
        log "voctag run on target/bench/corpus_big.csv ($(du -h target/bench/corpus_big.csv | cut -f1)), $threads threads"
        runs=1 voctag_run "$threads" target/bench/corpus_big.csv big
    else
        log "--big: target/bench/corpus_big.csv missing (scripts/make-bench-corpus.sh --big-gb 2); skipped"
    fi
fi

if [[ $python == 1 ]]; then
    venv=target/bench/pyenv
    if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import jieba, snownlp' 2>/dev/null; then
        log "installing the Python peer (jieba 0.42.1, snownlp 0.12.3) from PyPI into $venv"
        if ! { python3 -m venv "$venv" &&
            "$venv/bin/pip" install --quiet --disable-pip-version-check \
                --index-url https://pypi.org/simple/ jieba==0.42.1 snownlp==0.12.3; } >&2; then
            log "the Python peer could not be installed; skipped"
            python=0
        fi
    fi
fi
if [[ $python == 1 ]]; then
    log "Python peer on the first $py_sample comments (1 process)"
    line=$("$venv/bin/python" scripts/python_peer.py "$corpus" --lexicons lexicons/themes --sample "$py_sample")
    printf '{"what":"python","threads":1,"data":%s}\n' "$line" >>"$results"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$corpus" "$threads" "$runs" "$load_before" "$load_after" <<'EOF'
import json, os, sys
results, corpus, threads, runs, load_before, load_after = sys.argv[1:]
threads = int(threads)
rows = [json.loads(l) for l in open(results)]
floor = {r["threads"]: r["data"] for r in rows if r["what"] == "floor"}
def best(what, t):
    c = [r for r in rows if r["what"] == what and r["threads"] == t]
    return min(c, key=lambda r: r["secs"]) if c else None
v_n, v_1 = best("voctag", threads), best("voctag", 1)
big = best("big", threads)
py = next((r["data"] for r in rows if r["what"] == "python"), None)
text_bytes = floor[threads]["text_bytes"]
comments = floor[threads]["comments"]

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
print(f"machine: {os.cpu_count()} cores ({cpu}), {int(mem) / 2**20:.0f} GiB; "
      f"load average before {load_before}, after {load_after}")
print(f"corpus: {corpus}, {os.path.getsize(corpus) / 1e6:.1f} MB CSV, {comments} comments, "
      f"{text_bytes / 1e6:.1f} MB of comment text; each row is the fastest of {runs} runs")
print()
print("| what | threads | comments | wall s | CPU s | comments/s | MB/s (text) | peak RSS MB | vs floor |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
def line(name, t, n, secs, rss, fl, cpu_s=None):
    cps = n / secs
    ratio = f"{cps / fl:.2f}×" if fl else ""
    rss_s = f"{rss:.0f}" if rss is not None else "–"
    cpu_txt = f"{cpu_s:.2f}" if cpu_s is not None else "–"
    nbytes = text_bytes * n / comments
    print(f"| {name} | {t} | {n} | {secs:.2f} | {cpu_txt} | {cps:,.0f} | {nbytes / 1e6 / secs:.2f} | {rss_s} | {ratio} |")
for t in sorted(floor, reverse=True):
    f = floor[t]
    line("jieba-rs `cut` only (**the floor**: texts in memory, dictionary loaded)", t, f["comments"], f["secs"], None, None)
    line("jieba-rs read CSV + load dictionary + `cut` (context)", t, f["comments"], f["total_secs"], None, None)
for v in (v_n, v_1):
    if v:
        fl = floor[v["threads"]]["comments_per_s"]
        line("`voctag run` CSV → Parquet, end to end", v["threads"], v["comments"], v["secs"], v["rss_mb"], fl, v["cpu_secs"])
if big:
    line(f"`voctag run` on the {big['input_bytes'] / 1e9:.1f} GB CSV", big["threads"],
         big["comments"], big["secs"], big["rss_mb"], None, big["cpu_secs"])
if py:
    line(f"Python: `jieba.lcut` + keywords + SnowNLP (first {py['comments']})", 1, py["comments"], py["secs"], None, None)
else:
    print("| Python peer | – | – | – | – | skipped | – | – | – |")
print()

def check(name, ok, detail):
    print(f"- [{'x' if ok else ' '}] {name}: {detail}")
print("Targets (issue #6):")
if v_n:
    r = (v_n["comments"] / v_n["secs"]) / floor[threads]["comments_per_s"]
    check(f"voctag ≥ 0.6 × jieba-rs cut, {threads} threads", r >= 0.6, f"{r:.2f}×")
if v_n and v_1 and threads > 1:
    r = v_1["secs"] / v_n["secs"]
    check(f"{threads} threads ≥ 1.7 × 1 thread", r >= 1.7, f"{r:.2f}×")
if v_n and py:
    r = (v_n["comments"] / v_n["secs"]) / py["comments_per_s"]
    check("≥ 50 × the Python peer's comments/s", r >= 50, f"{r:,.0f}×")
if big:
    check("peak RSS ≤ 250 MB on the big input", big["rss_mb"] <= 250,
          f"{big['rss_mb']:.0f} MB on {big['input_bytes'] / 1e9:.2f} GB (vs {v_n['rss_mb']:.0f} MB on {v_n['input_bytes'] / 1e6:.0f} MB)")
if v_n:
    s = min(r["startup_ms"] for r in rows if r["what"] == "voctag")
    check("start-up ≤ 300 ms", s <= 300, f"{s:.0f} ms (best run's run.json `timings_ms.startup`)")
    check("comments.parquet + mentions.parquet < input CSV", v_n["output_bytes"] < v_n["input_bytes"],
          f"{v_n['output_bytes'] / 1e6:.1f} MB vs {v_n['input_bytes'] / 1e6:.1f} MB")
EOF
