#!/usr/bin/env bash
# Build the bench corpus: target/bench/corpus.csv (~21 MB of comments, 60 %
# Chinese, 30 % English, 10 % mixed, plus 2 % bundled sample comments) and its
# Parquet copy target/bench/corpus.parquet, reproducibly.
#
# Usage: scripts/make-bench-corpus.sh [--mb N] [--big-gb N]
#   --mb N      size of corpus.csv in MB (default 21)
#   --big-gb N  also write target/bench/corpus_big.csv: the corpus repeated
#               with fresh ids up to N GB (the streaming-memory check; ~N GB
#               of disk, never committed: target/ is ignored)
#
# Texts come only from target/corpora/train.jsonl (built by
# scripts/fetch-corpora.sh, run here if it is missing), which never holds a
# line of the reserved test split (0-based index % 10 == 0); see
# scripts/make_bench_corpus.py.
set -euo pipefail

case "${1:-}" in
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

PYTHON=${PYTHON:-python3}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

if [[ ! -f target/corpora/train.jsonl ]]; then
    echo "make-bench-corpus: target/corpora/train.jsonl missing; fetching the corpora" >&2
    scripts/fetch-corpora.sh
fi
"$PYTHON" scripts/make_bench_corpus.py "$@"

# The Parquet copy, written by a small example that uses arrow/parquet
# directly (no pyarrow needed, and not voctag's own writer).
cargo run --quiet --release --locked --example csv_to_parquet -- \
    target/bench/corpus.csv target/bench/corpus.parquet
ls -l target/bench/ >&2
