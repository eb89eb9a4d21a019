#!/usr/bin/env bash
# On the GPU machine: set up, start `scripts/ball_gpu.sh ablate $ABL` detached (it outlasts one
# device command), then wait on it like poll.sh. Env: ABL (ablate's arguments), ARMS, WAIT (seconds).
source scripts/gpu/setup.sh || exit 1
mkdir -p /tmp/w/out   # the run writes there; $OUT stays the device tool's, where poll.sh copies it
python3 -c 'import torch, kicky; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
W=/tmp/w OUT=/tmp/w/out setsid nohup bash scripts/ball_gpu.sh ablate $ABL > /tmp/w/ablate.log 2>&1 < /dev/null &
for _ in $(seq 120); do [ -f /tmp/w/out/steps.log ] && break; sleep 1; done   # poll.sh needs the run's log
bash scripts/gpu/poll.sh
