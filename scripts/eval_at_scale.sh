#!/usr/bin/env bash
# The whole pipeline at realistic scale in one command (issue 8's GPU run):
#   N simulated clips -> motion-teacher labels -> classes3 dataset -> the seed preset trained ->
#   the student over the held-out test clips -> evaluate.py on the test split (oracle / motion / student).
#
#   scripts/eval_at_scale.sh OUT [N=200] [SEED=100] [train.py overrides ...]
#
# Environment: PY (python, default `python`), WORKERS (default: all cores), SIM (sim preset, default
# sample = 640x360), LABELS (a label dir to use/fill, default OUT/labels: clips already labelled there
# with the same teacher settings are skipped, so labels made on another machine can be brought along),
# BUILD (extra `python -m kicky.dataset` overrides, e.g. split ratios for a handful of clips),
# POSE (true|false: MediaPipe pose/foot scores in the evaluation, default true), TRAINER (default gpu).
# Each stage resumes: a rerun skips what is done.
set -euo pipefail
OUT=${1:?usage: scripts/eval_at_scale.sh OUT [N] [SEED] [train.py overrides ...]}
N=${2:-200}
SEED=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
PY=${PY:-python}
W=${WORKERS:-$(nproc)}
LABELS=${LABELS:-$OUT/labels}
t0=$(date +%s)
stamp() { echo "== $1 ($(( $(date +%s) - t0 )) s)"; }

stamp "simulate $N clips (seed $SEED)"
$PY -m kicky.sim n_clips="$N" seed="$SEED" sim="${SIM:-sample}" out="$OUT/clips" workers="$W"
stamp "label (motion teacher)"
$PY -m kicky.teacher clips="$OUT/clips" out="$LABELS" reports="$OUT/reports" workers="$W"
stamp "build classes3"
# shellcheck disable=SC2086  # BUILD: extra dataset overrides, split on spaces
$PY -m kicky.dataset labels="$LABELS" clips="$OUT/clips" out="$OUT/dataset" reports="$OUT/reports" workers="$W" ${BUILD:-}
stamp "train"
if [ -f "$OUT/student/metrics.json" ] && [ -f "$OUT/student/checkpoint_best_total.pth" ]; then
    echo "trained already: $OUT/student"
else   # a stopped run (killed, or out of time) continues from its last whole epoch
    RESUME=(); [ -f "$OUT/student/last.ckpt" ] && RESUME=(resume=true)
    $PY train.py experiment=small384_15ep trainer="${TRAINER:-gpu}" speed=fast data="$OUT/dataset" out="$OUT/student" \
        logger=csv "${RESUME[@]}" "$@"
fi
stamp "detect the test clips"
$PY -m kicky.detect run="$OUT/student" clips="$OUT/clips" data="$OUT/dataset" "splits=[test]" out="$OUT/detections"
stamp "evaluate the test split"
$PY evaluate.py clips="$OUT/clips" data="$OUT/dataset" "splits=[test]" sources.motion.path="$LABELS" \
    sources.student.path="$OUT/detections" metrics="$OUT/metrics" plots="$OUT/plots" out="$OUT/eval" \
    logger.name=none pose="${POSE:-true}"
stamp "done"
