#!/usr/bin/env bash
# The ball path from the default teacher on the lent GPU machine (issue 16), in two phases that each
# fit one device command; everything lives in $W on that machine (a checkpoint cannot come back).
#
#   scripts/ball_gpu.sh label N SEED   # simulate N fresh 1080p clips, label them with the motion teacher
#                                      # (person_model=none: MediaPipe is not on the GPU image)
#   scripts/ball_gpu.sh learn MINUTES  # build the dataset from those labels, train the ball specialist on
#                                      # them, detect the held-out test clips, merge with the teacher's
#                                      # players / goal, score everything against truth
#   scripts/ball_gpu.sh selftrain MIN  # one noisy-student round: the specialist detects the train / valid
#                                      # clips, pseudo-labels = its confident balls + the teacher's balls it
#                                      # agrees with (kicky.detect.merge rule=pseudo), a run started from the
#                                      # first one's weights trains on them, then detect + score as in learn
#   scripts/ball_gpu.sh all N SEED MIN # label, learn and selftrain one after the other (run it detached and
#                                      # poll $OUT/steps.log: it outlasts one device command)
#
# Environment: W (work dir, default /tmp/w), OUT (where figures are copied), WORKERS (default 16).
# Wheels the image lacks: .ballnet_gpu/setup.sh (not in git: cp312 wheels + pip install --target).
set -uo pipefail
W=${W:-/tmp/w}; OUT=${OUT:-$W/out}; J=${WORKERS:-16}
mkdir -p "$W" "$OUT"
t0=$(date +%s); stamp() { echo "== $1 ($(( $(date +%s) - t0 )) s)" | tee -a "$OUT/steps.log"; }
case "${1:?label|learn}" in
label)
  stamp "simulate ${2:-64} clips, seed ${3:-77}"
  python3 -m kicky.sim n_clips="${2:-64}" seed="${3:-77}" out="$W/clips" workers="$J" hydra.run.dir="$W/h/sim" 2>&1 | tail -1
  stamp "motion teacher"
  python3 -m kicky.teacher clips="$W/clips" out="$W/labels" reports="$W/rep" workers="$J" \
      teacher.backends.motion.person_model=none hydra.run.dir="$W/h/t" 2>&1 | grep -v Warn | tail -3
  cp "$W/rep/label.json" "$W/rep/label.md" "$OUT/" 2>/dev/null
  stamp "labelled $(ls "$W/labels" | wc -l) clips" ;;
learn)
  stamp build
  python3 -m kicky.dataset labels="$W/labels" clips="$W/clips" out="$W/ds" reports="$W/rep" workers="$J" \
      dataset.split.train=0.7 dataset.split.valid=0.1 dataset.split.test=0.2 hydra.run.dir="$W/h/b" 2>&1 | tail -1
  stamp "ballnet on teacher labels"
  python3 -m kicky.ballnet.train labels="$W/labels" clips="$W/clips" data="$W/ds" out="$W/run" epochs=60 batch=32 \
      crops.every=1 workers="$J" loader_workers=8 max_minutes="${2:-4}" 2>&1 | grep -E "^kicky|rror" | tail -4
  cp "$W/run/history.json" "$W/run/metrics.json" "$OUT/" 2>/dev/null
  stamp detect
  python3 -m kicky.ballnet.detect run="$W/run" clips="$W/clips" data="$W/ds" 'splits=[test]' out="$W/det" 2>&1 | grep -E "^kicky|rror"
  python3 -m kicky.detect.merge base="$W/labels" ball="$W/det" out="$W/merged" clips="$W/clips" data="$W/ds" \
      'splits=[test]' 2>&1 | grep -E "^kicky|rror"
  stamp evaluate
  python3 evaluate.py clips="$W/clips" data="$W/ds" 'splits=[test]' '~sources.student' sources.motion.path="$W/labels" \
      "+sources.ballnet={kind: labels, path: $W/det}" "+sources.motion_ballnet={kind: labels, path: $W/merged}" \
      pose=false logger.name=none metrics="$W/m" plots="$W/p" hydra.run.dir="$W/h/e" 2>&1 | tail -2
  cp "$W/m/eval.md" "$W/m/eval.json" "$OUT/" 2>/dev/null
  stamp done ;;
selftrain)
  stamp "self-training: ballnet detects the train / valid clips"
  python3 -m kicky.ballnet.detect run="$W/run" clips="$W/clips" data="$W/ds" 'splits=[train,valid]' out="$W/det_tv" \
      threshold=0.1 2>&1 | grep -E "^kicky|rror"
  python3 -m kicky.detect.merge base="$W/labels" ball="$W/det_tv" out="$W/pseudo" clips="$W/clips" data="$W/ds" \
      'splits=[train,valid]' rule=pseudo name=pseudo quality=ball 2>&1 | grep -E "^kicky|rror" | tee -a "$OUT/steps.log"
  cp "$W/pseudo/detect.json" "$OUT/pseudo.json" 2>/dev/null
  stamp "ballnet round 2 on the pseudo-labels"
  python3 -m kicky.ballnet.train labels="$W/pseudo" clips="$W/clips" data="$W/ds" out="$W/run2" init="$W/run" epochs=60 \
      batch=32 crops.every=1 workers="$J" loader_workers=8 max_minutes="${2:-3}" 2>&1 | grep -E "^kicky|rror" | tail -4
  cp "$W/run2/history.json" "$OUT/history2.json"; cp "$W/run2/metrics.json" "$OUT/metrics2.json" 2>/dev/null
  python3 -m kicky.ballnet.detect run="$W/run2" clips="$W/clips" data="$W/ds" 'splits=[test]' out="$W/det2" 2>&1 | grep -E "^kicky|rror"
  python3 -m kicky.detect.merge base="$W/labels" ball="$W/det2" out="$W/merged2" clips="$W/clips" data="$W/ds" \
      'splits=[test]' 2>&1 | grep -E "^kicky|rror"
  stamp "evaluate round 2"
  python3 evaluate.py clips="$W/clips" data="$W/ds" 'splits=[test]' '~sources.student' sources.motion.path="$W/labels" \
      "+sources.ballnet={kind: labels, path: $W/det}" "+sources.motion_ballnet={kind: labels, path: $W/merged}" \
      "+sources.ballnet_r2={kind: labels, path: $W/det2}" "+sources.motion_ballnet_r2={kind: labels, path: $W/merged2}" \
      pose=false logger.name=none metrics="$W/m2" plots="$W/p2" hydra.run.dir="$W/h/e2" 2>&1 | tail -2
  cp "$W/m2/eval.md" "$OUT/eval2.md"; cp "$W/m2/eval.json" "$OUT/eval2.json" 2>/dev/null
  stamp done ;;
all)
  "$0" label "${2:-80}" "${3:-77}" && "$0" learn "${4:-3.5}" && "$0" selftrain "${4:-3.5}" ;;
esac
