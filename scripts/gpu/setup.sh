#!/usr/bin/env bash
# On the GPU machine (sourced): install the carried wheels into /tmp/site and put them and the checkout
# on PYTHONPATH. The image's own torch / numpy / opencv are used as they are.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .gpu/whl/*.whl >/tmp/pip.log 2>&1 || { tail -5 /tmp/pip.log; return 1 2>/dev/null || exit 1; }
export PYTHONPATH=/tmp/site:$PWD NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
