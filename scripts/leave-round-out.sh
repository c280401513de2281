#!/usr/bin/env bash
# Scores the model on a labelled round it has not seen: trains by the recipe
# of scripts/reproduce-model.sh with that round's files left out, then runs
# `voctag eval` on them. This is how the theme heads' veto and threshold were
# chosen and the polarity head measured (models/README.md, "Theme heads",
# "Polarity head"); add --rule-polarity for the rules' polarities alone.
#
#   scripts/leave-round-out.sh ROUND [EVAL OPTIONS...]
#   scripts/leave-round-out.sh round8 --theme-threshold 0.6 --theme-veto 0
#   scripts/leave-round-out.sh round8 --print   # the train options only
#
# ROUND is a file prefix of testdata/sentiment/ (round5 ... round9). Needs the
# corpora of scripts/fetch-corpora.sh (in VOCTAG_CORPORA_DIR or target/corpora)
# and a release build; the model goes to target/leave-round-out/ROUND.bin.
set -euo pipefail
cd "$(dirname "$0")/.."

round=${1:?usage: scripts/leave-round-out.sh ROUND [EVAL OPTIONS...]}
shift
held_out=(testdata/sentiment/"$round"_*.jsonl)
[ -e "${held_out[0]}" ] || { echo "no testdata/sentiment/${round}_*.jsonl" >&2; exit 2; }
corpora="${VOCTAG_CORPORA_DIR:-target/corpora}"

# The recipe's train options, from `train` to `--out`, without the round.
mapfile -t options < <(
  sed -n '/release\/voctag" train/,/--out/p' scripts/reproduce-model.sh |
    sed -e '1d' -e '$d' -e 's/ *\\$//' -e 's/^ *//' -e "s#\"\$corpora/#$corpora/#" -e 's/"//g' |
    grep -v "/${round}_"
)
args=()
for line in "${options[@]}"; do
  read -r -a words <<< "$line"
  args+=("${words[@]}")
done
if [ "${1:-}" = "--print" ]; then
  printf '%s\n' "${args[@]}"
  exit 0
fi

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/release/voctag"
mkdir -p target/leave-round-out
model="target/leave-round-out/$round.bin"
"$bin" train "${args[@]}" --out "$model" >&2
"$bin" eval "${held_out[@]}" --model "$model" "$@"
