#!/bin/bash
# Everything a session measures when it is lent a GPU machine, in one call (see the README's
# Benchmarks section): the CuPy tests; one training step, CuPy against PyTorch eager, by batch
# size with the ratio beside the target (at most 0.5 at batch 64); LeNet-5 epochs and test
# accuracy on CuPy, PyTorch CUDA and PyTorch CPU; then the CPU comparison on 2 cores (ratios
# beside the 0.8 target) and where a NumPy step spends its time. Run from the repository root
# with a python3 that has numpy, cupy and pytest (and torch for the comparisons):
#     bash benchmarks/gpu_check.sh 2>&1 | tee gpu-check.txt        (at most 9 minutes: each step has a timeout)
# Output goes to stdout; nothing is written elsewhere. No GPU figure in the README is claimed
# without this script's output from a named machine.
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
PY=${PYTHON:-python3}
date -u
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
$PY -c "import numpy, cupy; print('numpy', numpy.__version__, 'cupy', cupy.__version__)"
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || echo "no torch"
$PY -c "from tutor.backend import select_backend as s; b = s('auto'); print('backend:', b.name, '-', b.reason)"
echo "== CuPy and engine tests"
timeout 100 $PY -m pytest -o addopts= -p no:cacheprovider -q -rs \
  tests/test_engine_cupy.py tests/test_engine_layers.py tests/test_engine_model.py tests/test_engine_train.py \
  tests/test_pf_training_step.py tests/test_half_process.py 2>&1 | tail -15
echo "== One training step (forward, backward, Adam): CuPy against PyTorch eager (target: ratio <= 0.5 at batch 64)"
timeout 90 $PY benchmarks/gpu_profile.py --batches 64 256 1024
echo "== 10 epochs: CuPy, PyTorch CUDA, PyTorch CPU (all cores)"
timeout 200 $PY benchmarks/lenet.py --backend cupy --epochs 10 --skip-numpy
echo "== CPU on 2 cores: NumPy against PyTorch, interleaved (target: ratio <= 0.8)"
taskset -c 0,1 timeout 100 $PY benchmarks/lenet_ratio.py --rounds 3
taskset -c 0,1 timeout 20 $PY benchmarks/profile_lenet.py --threads 1 --batches 200 | head -25
echo "== CuPy without the custom kernels (1 epoch)"
DL_TUTOR_GPU_KERNELS=0 timeout 30 $PY benchmarks/lenet.py --backend cupy --epochs 1 --skip-numpy --no-torch
date -u
