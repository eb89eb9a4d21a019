#!/usr/bin/env bash
# The wheels the lent GPU machine's image lacks for the ball path (scripts/ball_gpu.sh), fetched here
# into .gpu/whl (git-ignored; they travel with `run`'s carry=[".gpu"], ~37 MB of the 64 MiB allowed).
# The image has torch, numpy, opencv, scipy, pyyaml, tqdm, pillow; see /work/.library/device/KINDS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu/whl
grep -qxs '/.gpu/' .git/info/exclude || echo /.gpu/ >> .git/info/exclude
plat=(); for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 \
    manylinux1_x86_64 manylinux_2_24_x86_64 manylinux_2_31_x86_64 manylinux_2_34_x86_64; do plat+=(--platform "$p"); done
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "${plat[@]}" \
    -d .gpu/whl av==18.1.0 pycocotools==2.0.11 hydra-core==1.3.8 omegaconf==2.3.0 supervision==0.31.2 \
    defusedxml pydeprecate==0.13.0
# hydra's parser pins antlr4 4.9.3, which PyPI has as source only: build its (pure-Python) wheel here
python3 -m pip wheel -q --no-deps -w .gpu/whl antlr4-python3-runtime==4.9.3
ls .gpu/whl; du -sh .gpu
