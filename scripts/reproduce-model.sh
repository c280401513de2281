#!/usr/bin/env bash
# Rebuilds the shipped sentiment model from public data and checks that the
# result is byte-identical to models/sentiment-linear.bin.
#
#   scripts/reproduce-model.sh          # check
#   scripts/reproduce-model.sh --write  # retrain and overwrite the shipped model
#
# Needs network access to PyPI (for scripts/fetch-corpora.sh). The training
# command is the one documented in models/README.md (scripts/tests/test_recipe.py
# keeps the two in step).
set -euo pipefail
cd "$(dirname "$0")/.."

corpora="${VOCTAG_CORPORA_DIR:-target/corpora}"
bash scripts/fetch-corpora.sh "$corpora" >/dev/null
cargo build --release --locked --quiet

out="$(mktemp -d)/sentiment-linear.bin"
"${CARGO_TARGET_DIR:-target}/release/voctag" train \
  --data "$corpora/train.jsonl" \
  --data testdata/eval/dev.jsonl@3 \
  --data testdata/sentiment/zh_written.jsonl@3 \
  --data testdata/sentiment/en_written.jsonl@3 \
  --data testdata/sentiment/hard_written.jsonl@3 \
  --data testdata/sentiment/zh_reviews.jsonl@3 \
  --data testdata/sentiment/en_reviews.jsonl@3 \
  --data testdata/sentiment/more_written.jsonl@3 \
  --data testdata/sentiment/round3_zh.jsonl@3 \
  --data testdata/sentiment/round3_en.jsonl@3 \
  --data testdata/sentiment/round3_service.jsonl@3 \
  --data testdata/sentiment/round4_zh.jsonl@3 \
  --data testdata/sentiment/round4_en.jsonl@3 \
  --data testdata/sentiment/round4_nearmiss.jsonl@3 \
  --data testdata/sentiment/zh_sentiment.jsonl@3 \
  --data testdata/sentiment/en_sentiment.jsonl@3 \
  --data testdata/sentiment/round5_zh.jsonl@3 \
  --data testdata/sentiment/round5_en.jsonl@3 \
  --data testdata/sentiment/round5_reviews.jsonl@3 \
  --data testdata/sentiment/round6_zh.jsonl@3 \
  --data testdata/sentiment/round6_en.jsonl@3 \
  --data testdata/sentiment/round6_reviews.jsonl@3 \
  --data testdata/sentiment/round7_zh.jsonl@3 \
  --data testdata/sentiment/round7_en.jsonl@3 \
  --data testdata/sentiment/round7_reviews.jsonl@3 \
  --data testdata/sentiment/round8_zh.jsonl@3 \
  --data testdata/sentiment/round8_en.jsonl@3 \
  --data testdata/sentiment/round8_reviews.jsonl@3 \
  --data testdata/sentiment/round9_zh.jsonl@3 \
  --data testdata/sentiment/round9_zh2.jsonl@3 \
  --data testdata/sentiment/round9_en.jsonl@3 \
  --data testdata/sentiment/round9_reviews.jsonl@3 \
  --data testdata/sentiment/round10_zh.jsonl@3 \
  --data testdata/sentiment/round10_zh2.jsonl@3 \
  --data testdata/sentiment/round10_en.jsonl@3 \
  --data testdata/sentiment/round10_reviews.jsonl@3 \
  --data testdata/sentiment/round11_zh.jsonl@3 \
  --data testdata/sentiment/round11_zh2.jsonl@3 \
  --data testdata/sentiment/round11_en.jsonl@3 \
  --data testdata/sentiment/round11_reviews.jsonl@3 \
  --data testdata/sentiment/round12_zh.jsonl@3 \
  --data testdata/sentiment/round12_zh2.jsonl@3 \
  --data testdata/sentiment/round12_en.jsonl@3 \
  --data testdata/sentiment/round12_reviews.jsonl@3 \
  --data testdata/sentiment/round13_zh.jsonl@3 \
  --data testdata/sentiment/round13_zh2.jsonl@3 \
  --data testdata/sentiment/round13_en.jsonl@3 \
  --data testdata/sentiment/round13_reviews.jsonl@3 \
  --data testdata/sentiment/round14_zh.jsonl@3 \
  --data testdata/sentiment/round14_zh2.jsonl@3 \
  --data testdata/sentiment/round14_en.jsonl@3 \
  --data testdata/sentiment/round14_en2.jsonl@3 \
  --data testdata/sentiment/round14_reviews.jsonl@3 \
  --data testdata/sentiment/round15_zh.jsonl@3 \
  --data testdata/sentiment/round15_zh2.jsonl@3 \
  --data testdata/sentiment/round15_en.jsonl@3 \
  --data testdata/sentiment/round15_en2.jsonl@3 \
  --data testdata/sentiment/round15_reviews.jsonl@3 \
  --data testdata/sentiment/round16_zh.jsonl@3 \
  --data testdata/sentiment/round16_zh2.jsonl@3 \
  --data testdata/sentiment/round16_en.jsonl@3 \
  --data testdata/sentiment/round16_en2.jsonl@3 \
  --data testdata/sentiment/round16_reviews.jsonl@3 \
  --data testdata/sentiment/round17_zh.jsonl@3 \
  --data testdata/sentiment/round17_zh2.jsonl@3 \
  --data testdata/sentiment/round17_en.jsonl@3 \
  --data testdata/sentiment/round17_en2.jsonl@3 \
  --data testdata/sentiment/round17_reviews.jsonl@3 \
  --data testdata/sentiment/round18_zh.jsonl@3 \
  --data testdata/sentiment/round18_zh2.jsonl@3 \
  --data testdata/sentiment/round18_en.jsonl@3 \
  --data testdata/sentiment/round18_en2.jsonl@3 \
  --data testdata/sentiment/round18_reviews.jsonl@3 \
  --data testdata/sentiment/round19_zh.jsonl@3 \
  --data testdata/sentiment/round19_zh2.jsonl@3 \
  --data testdata/sentiment/round19_en.jsonl@3 \
  --data testdata/sentiment/round19_en2.jsonl@3 \
  --data testdata/sentiment/round19_reviews.jsonl@3 \
  --data testdata/sentiment/round20_zh.jsonl@3 \
  --data testdata/sentiment/round20_zh2.jsonl@3 \
  --data testdata/sentiment/round20_en.jsonl@3 \
  --data testdata/sentiment/round20_en2.jsonl@3 \
  --data testdata/sentiment/round20_reviews.jsonl@3 \
  --data testdata/sentiment/round21_zh.jsonl@3 \
  --data testdata/sentiment/round21_en.jsonl@3 \
  --data testdata/sentiment/round21_en2.jsonl@3 \
  --data testdata/sentiment/round22_zh.jsonl@3 \
  --data testdata/sentiment/round22_zh2.jsonl@3 \
  --data testdata/sentiment/round22_en.jsonl@3 \
  --data testdata/sentiment/round22_en2.jsonl@3 \
  --data testdata/sentiment/round22_reviews.jsonl@3 \
  --data testdata/sentiment/round23_zh.jsonl@3 \
  --data testdata/sentiment/round23_zh2.jsonl@3 \
  --data testdata/sentiment/round23_en.jsonl@3 \
  --data testdata/sentiment/round23_en2.jsonl@3 \
  --data testdata/sentiment/round23_reviews.jsonl@3 \
  --theme-background "$corpora/theme_background.jsonl" \
  --ensemble 5 \
  --calibrate "$corpora/valid.jsonl" \
  --l2 3e-5 \
  --nb-weight 0.3 \
  --out "$out"

if [ "${1:-}" = "--write" ]; then
  cp "$out" models/sentiment-linear.bin
  echo "wrote models/sentiment-linear.bin ($(sha256sum models/sentiment-linear.bin | cut -c1-16))"
elif cmp -s "$out" models/sentiment-linear.bin; then
  echo "models/sentiment-linear.bin reproduced byte for byte ($(sha256sum "$out" | cut -c1-16))"
else
  echo "models/sentiment-linear.bin differs from a fresh training run:" >&2
  echo "  shipped: $(sha256sum models/sentiment-linear.bin)" >&2
  echo "  rebuilt: $(sha256sum "$out")" >&2
  echo "Lexicon or feature changes change the model; retrain with scripts/reproduce-model.sh --write." >&2
  exit 1
fi
