#!/usr/bin/env bash
# WGAN-GP against WGAN-CT in the little-data regime of Wei et al. 2018 (sec. 4): the same
# 1,000-image class-balanced subset (--limit 1000: 100 per class), the same epochs, steps and
# seed; then FID/KID in the classifier's feature space (fmgen-evaluate) and the critic's
# empirical Lipschitz ratio per epoch (from each run's metrics.jsonl).
# Usage: benchmarks/wgan_ct_little_data.sh EPOCHS SAMPLES OUT  (prints everything it measures)
set -euo pipefail
epochs=${1:-40}
samples=${2:-2000}
out=${3:-/tmp/wgan_ct_little_data}
data=${FMGEN_DATA_DIR:-/usr/share/datasets/fashion-mnist}
common=(--model wgan --limit 1000 --epochs "$epochs" --seed 0 --device cpu --precision fp32
        --data-dir "$data" --out "$out")
echo "CPU: $(lscpu | grep 'Model name' | sed 's/ \+/ /g')"
echo "commit: $(git rev-parse --short HEAD)  started: $(date -u +%FT%TZ)"
# The two trainings run side by side (one thread each) on the shared CPU.
fmgen-train "${common[@]}" --run-name wgan-gp > "$out.gp.log" 2>&1 &
gp=$!
fmgen-train "${common[@]}" --ct-weight 2 --run-name wgan-ct > "$out.ct.log" 2>&1 &
ct=$!
wait "$gp" "$ct"
tail -n 2 "$out.gp.log" "$out.ct.log"
python - "$out" <<'PY'
import json, sys
from pathlib import Path
for name in ("wgan-gp", "wgan-ct"):
    print(f"\n{name}: epoch, step, seconds, train consistency, test Wasserstein, "
          "Lipschitz max, Lipschitz p95")
    for line in (Path(sys.argv[1]) / name / "metrics.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row.get("type") == "epoch":
            t, s = row["test"], row["train"]
            print(f"{row['epoch']:3d} {row['step']:5d} {row['seconds']:6.1f} "
                  f"{s['consistency']:8.4f} {t['wasserstein']:8.3f} "
                  f"{t['lipschitz_max']:7.3f} {t['lipschitz_p95']:7.3f}")
PY
fmgen-evaluate --run "$out/wgan-gp" --run "$out/wgan-ct" --samples "$samples" --seed 0 \
    --device cpu --data-dir "$data" --out "$out/evaluation"
echo "finished: $(date -u +%FT%TZ)"
