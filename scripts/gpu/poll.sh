#!/usr/bin/env bash
# On the GPU machine: wait up to $WAIT s (default 520) for the detached run to finish, then copy what
# it has written so far ($W/out) to the device tool's $OUT, with the log's tail. On a fresh machine
# (the warm one was given back between two calls: idle 30 s) there is no run: say so and stop at once,
# so no device time goes to waiting on nothing.
W=/tmp/w; end=$(( $(date +%s) + ${WAIT:-520} ))
[ -f "$W/out/steps.log" ] || { echo "poll: no run on this machine (a fresh one: the run was lost)"; exit 3; }
while [ "$(date +%s)" -lt "$end" ] && ! grep -qs "all done\|failed" "$W/out/steps.log"; do sleep 5; done
cp -r "$W/out/." "$OUT/" 2>/dev/null; tail -25 "$W/out/steps.log" 2>/dev/null; tail -5 "$W/ablate.log" 2>/dev/null
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>/dev/null
