#!/usr/bin/env bash
# On the GPU machine (issue 22, item 2): whole clips from file to report + annotated mp4 over a folder,
# stage by stage. A student and a ball specialist are trained here first on oracle labels (a checkpoint
# cannot travel: minutes, not quality — the figures are speed), then `infer.py clip=<folder>` runs
# with and without the ball pass. MediaPipe is not on the GPU image: pose is off here (its cost is
# measured on the CPU machine). Env: N clips (24), SEED (91), TRAIN_MIN (2.5), BALL_MIN (2), WORKERS (14).
source scripts/gpu/setup.sh || exit 1
W=/tmp/s; mkdir -p "$W"; t0=$(date +%s)
stamp() { echo "== $1 ($(( $(date +%s) - t0 )) s)" | tee -a "$OUT/steps.log"; }
N=${N:-24}; SEED=${SEED:-91}; J=${WORKERS:-14}
stamp "simulate $N 1080p clips, seed $SEED"
python3 -m kicky.sim n_clips="$N" seed="$SEED" out="$W/clips" workers=16 hydra.run.dir="$W/h/sim" 2>&1 | tail -1
python3 -m kicky.teacher teacher=oracle clips="$W/clips" out="$W/oracle" reports="$W/rep" workers=16 \
    hydra.run.dir="$W/h/o" 2>&1 | tail -1
python3 -m kicky.dataset labels="$W/oracle" clips="$W/clips" out="$W/ds" reports="$W/rep" workers=16 \
    hydra.run.dir="$W/h/b" 2>&1 | tail -1
stamp "train the student (${TRAIN_MIN:-2.5} min) and ballnet (${BALL_MIN:-2} min) side by side"
python3 train.py experiment=small384_15ep trainer=gpu speed=fast data="$W/ds" out="$W/student" logger=csv \
    max_minutes="${TRAIN_MIN:-2.5}" run_test=false > "$W/train.log" 2>&1 &
python3 -m kicky.ballnet.train labels="$W/oracle" clips="$W/clips" data="$W/ds" out="$W/ballnet" epochs=60 batch=32 \
    crops.every=1 workers=6 loader_workers=6 max_minutes="${BALL_MIN:-2}" > "$W/ballnet.log" 2>&1 &
wait
grep -E "rror" "$W/train.log" | tail -3; grep -E "^kicky: (best|ballnet)|rror" "$W/ballnet.log" | tail -2
ls "$W/student" | tr '\n' ' '; echo
nvidia-smi --query-gpu=name,memory.used --format=csv,noheader
for arm in ballnet student; do
  stamp "infer.py over the folder: $arm"
  extra=(); [ $arm = ballnet ] && extra=(ballnet="$W/ballnet")
  python3 infer.py clip="$W/clips" source=student run="$W/student" "${extra[@]}" workers="$J" \
      analysis.pose.enabled=false coach=rules out="$W/inf_$arm" 2>&1 | grep -v "^kicky: sim" | tail -8
  cp "$W/inf_$arm/speed.json" "$OUT/speed_$arm.json" 2>/dev/null
done
python3 - "$W" <<'EOF' | tee -a "$OUT/steps.log"
import json, sys, glob
for f in sorted(glob.glob(sys.argv[1] + "/inf_*/*/report.json"))[:1]:
    d = json.load(open(f))["detector"]
    print({k: d.get(k) for k in ("model", "res", "dtype", "batch", "fps", "seconds", "wall_seconds")},
          {k: (d.get("ballnet") or {}).get(k) for k in ("dtype", "batch", "fps", "wall_seconds", "decode_seconds")})
EOF
stamp "all done"
