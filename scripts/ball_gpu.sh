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
#   scripts/ball_gpu.sh ablate N SEED MIN LABELS [SELFMIN]
#                                      # the specialist's ablation on one set of clips: simulate them, take the
#                                      # motion teacher's labels from LABELS (made elsewhere, e.g. on a CPU
#                                      # machine: the GPU's time goes to training; clips missing there are
#                                      # labelled here), oracle labels, then three
#                                      # runs side by side on the one GPU, same clips, same minutes:
#                                      # oracle / teacher / teacher + pasted synthetic balls; detect, score;
#                                      # then a self-training round from the pasted run (RUN1=paste;
#                                      # SELFMIN=0: none); ARMS: which of oracle / teacher / paste to train
#
# Environment: W (work dir, default /tmp/w), OUT (where figures are copied), WORKERS (default 16),
# SIM_ARGS / TRAIN_ARGS / SPLIT_ARGS (extra overrides: a CPU smoke run passes sim=test, limit_steps=, crop=).
# Wheels the image lacks: scripts/gpu/wheels.sh fetches them here into .gpu/ (git-ignored; carry=[".gpu"]); scripts/gpu/start.sh starts ablate detached there and poll.sh waits on it.
set -uo pipefail
W=${W:-/tmp/w}; OUT=${OUT:-$W/out}; J=${WORKERS:-16}; SIM_ARGS=${SIM_ARGS:-}; TRAIN_ARGS=${TRAIN_ARGS:-}
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
  R1="$W/run${RUN1:+_$RUN1}"
  stamp "self-training: ballnet detects the train / valid clips"
  python3 -m kicky.ballnet.detect run="$R1" clips="$W/clips" data="$W/ds" 'splits=[train,valid]' out="$W/det_tv" \
      threshold=0.1 2>&1 | grep -E "^kicky|rror"
  python3 -m kicky.detect.merge base="$W/labels" ball="$W/det_tv" out="$W/pseudo" clips="$W/clips" data="$W/ds" \
      'splits=[train,valid]' rule=pseudo name=pseudo quality=ball 2>&1 | grep -E "^kicky|rror" | tee -a "$OUT/steps.log"
  cp "$W/pseudo/detect.json" "$OUT/pseudo.json" 2>/dev/null
  stamp "ballnet round 2 on the pseudo-labels"
  python3 -m kicky.ballnet.train labels="$W/pseudo" clips="$W/clips" data="$W/ds" out="$W/run2" init="$R1" epochs=60 \
      batch=32 crops.every=1 workers="$J" loader_workers=8 max_minutes="${2:-3}" $TRAIN_ARGS "${@:3}" 2>&1 | grep -E "^kicky|rror" | tail -4
  cp "$W/run2/history.json" "$OUT/history2.json"; cp "$W/run2/metrics.json" "$OUT/metrics2.json" 2>/dev/null
  python3 -m kicky.ballnet.detect run="$W/run2" clips="$W/clips" data="$W/ds" 'splits=[test]' out="$W/det2" 2>&1 | grep -E "^kicky|rror"
  python3 -m kicky.detect.merge base="$W/labels" ball="$W/det2" out="$W/merged2" clips="$W/clips" data="$W/ds" \
      'splits=[test]' 2>&1 | grep -E "^kicky|rror"
  stamp "evaluate round 2"
  python3 evaluate.py clips="$W/clips" data="$W/ds" 'splits=[test]' '~sources.student' sources.motion.path="$W/labels" \
      "+sources.ballnet_r1={kind: labels, path: ${R1/run/det}}" \
      "+sources.ballnet_r2={kind: labels, path: $W/det2}" "+sources.motion_ballnet_r2={kind: labels, path: $W/merged2}" \
      pose=false logger.name=none metrics="$W/m2" plots="$W/p2" hydra.run.dir="$W/h/e2" 2>&1 | tail -2
  cp "$W/m2/eval.md" "$OUT/eval2.md"; cp "$W/m2/eval.json" "$OUT/eval2.json" 2>/dev/null
  stamp done ;;
all)
  "$0" label "${2:-80}" "${3:-77}" && "$0" learn "${4:-3.5}" && "$0" selftrain "${4:-3.5}" ;;
ablate)
  M=${4:-4}
  stamp "simulate ${2:-80} clips, seed ${3:-77}"
  python3 -m kicky.sim n_clips="${2:-80}" seed="${3:-77}" out="$W/clips" workers="$J" hydra.run.dir="$W/h/sim" $SIM_ARGS 2>&1 | tail -1
  rm -rf "$W/labels"; mkdir -p "$W/labels"   # LABELS: a folder of label caches, or a .tgz of one's contents
  case "${5:?LABELS: the motion teacher label caches}" in
    *.tgz|*.tar.gz) tar -xzf "$5" -C "$W/labels" ;;
    *) cp -r "$5"/. "$W/labels"/ ;;
  esac
  stamp "motion teacher: the clips LABELS lacks ($(ls -d "$W"/labels/*/ | wc -l) labelled there)"
  python3 -m kicky.teacher clips="$W/clips" out="$W/labels" reports="$W/rep" workers="$J" \
      teacher.backends.motion.person_model=none hydra.run.dir="$W/h/t" 2>&1 | grep -v Warn | tail -2
  cp "$W/rep/label.json" "$W/rep/label.md" "$OUT/" 2>/dev/null
  stamp "build + oracle labels"
  python3 -m kicky.teacher teacher=oracle clips="$W/clips" out="$W/oracle" reports="$W/rep_o" workers=8 \
      hydra.run.dir="$W/h/o" > "$W/oracle.log" 2>&1 &
  python3 -m kicky.dataset labels="$W/labels" clips="$W/clips" out="$W/ds" reports="$W/rep" workers=8 \
      ${SPLIT_ARGS:-dataset.split.train=0.7 dataset.split.valid=0.1 dataset.split.test=0.2} hydra.run.dir="$W/h/b" 2>&1 | tail -1
  wait; tail -1 "$W/oracle.log"
  [ -f "$W/ds/manifest.json" ] && [ -d "$W/oracle" ] || { stamp "build or oracle labels failed"; exit 1; }
  stamp "three ballnet runs side by side, $M min each"
  arm() {  # name labels [overrides]
    python3 -m kicky.ballnet.train labels="$2" clips="$W/clips" data="$W/ds" out="$W/run_$1" epochs=60 batch=32 \
        crops.every=1 workers=5 loader_workers=5 max_minutes="$M" $TRAIN_ARGS "${@:3}" > "$W/train_$1.log" 2>&1
    grep -E "^kicky: (best|ballnet)|rror" "$W/train_$1.log" | sed "s/^/[$1] /" | tee -a "$OUT/steps.log"
    cp "$W/run_$1/history.json" "$OUT/history_$1.json" 2>/dev/null; }
  ARMS=${ARMS:-oracle teacher paste}
  for a in $ARMS; do
    case $a in oracle) arm oracle "$W/oracle" & ;; teacher) arm teacher "$W/labels" & ;;
      paste) arm paste "$W/labels" augment.paste.p=0.5 & ;;
      skip) arm skip "$W/labels" crops.unlabelled=skip & ;; esac
  done; wait
  pack() { tar -czf "$OUT/runs.tgz" -C "$W" $(cd "$W" && ls -d run_*/best.pt run_*/config.yaml run_*/metrics.json run2/best.pt \
      run2/config.yaml run2/metrics.json 2>/dev/null); }
  pack   # the checkpoints first: they are what a later CPU session scores real frames with
  stamp "detect the test clips"
  srcs=()
  for a in $ARMS; do
    python3 -m kicky.ballnet.detect run="$W/run_$a" clips="$W/clips" data="$W/ds" 'splits=[test]' out="$W/det_$a" \
        name="ballnet_$a" 2>&1 | grep -E "^kicky|rror" | sed "s/^/[$a] /" | tee -a "$OUT/steps.log"
    python3 -m kicky.detect.merge base="$W/labels" ball="$W/det_$a" out="$W/merged_$a" clips="$W/clips" data="$W/ds" \
        'splits=[test]' quality=ball 2>&1 | grep -E "rror"
    # AP reads the whole precision-recall curve: the same model's detections down to score 0.05 (the
    # analysis keeps its own min_score), scored beside the default threshold's
    python3 -m kicky.ballnet.detect run="$W/run_$a" clips="$W/clips" data="$W/ds" 'splits=[test]' out="$W/det05_$a" \
        name="ballnet05_$a" threshold=0.05 2>&1 | grep -E "rror" | sed "s/^/[$a 0.05] /" | tee -a "$OUT/steps.log"
    srcs+=("+sources.ballnet_$a={kind: labels, path: $W/det_$a}" "+sources.motion_ballnet_$a={kind: labels, path: $W/merged_$a}"
           "+sources.ballnet05_$a={kind: labels, path: $W/det05_$a}")
  done
  stamp evaluate
  python3 evaluate.py clips="$W/clips" data="$W/ds" 'splits=[test]' '~sources.student' sources.motion.path="$W/labels" \
      "${srcs[@]}" pose=false logger.name=none metrics="$W/m" plots="$W/p" hydra.run.dir="$W/h/e" 2>&1 | tail -2
  cp "$W/m/eval.md" "$W/m/eval.json" "$OUT/" 2>/dev/null
  # the test clips' detections come back (a few MB) so a CPU session can replay the analysis on them
  tar -czf "$OUT/det.tgz" -C "$W" $(cd "$W" && ls -d det_* merged_* 2>/dev/null) rep/label.json 2>/dev/null
  [ "${6:-3.5}" != 0 ] && RUN1=${RUN1:-paste} "$0" selftrain "${6:-3.5}" augment.paste.p=0.5
  pack
  stamp "all done" ;;
esac
