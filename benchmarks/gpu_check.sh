#!/bin/bash
# The checks a session runs when it is lent a GPU machine (see the README's Benchmarks section):
# the CuPy tests, then LeNet-5 on CuPy, NumPy and PyTorch. Run from the repository root with a
# python3 that has numpy, cupy and pytest (and torch for the comparison). Output goes to stdout.
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import numpy, cupy; print('numpy', numpy.__version__, 'cupy', cupy.__version__)"
python3 -c "from tutor.backend import select_backend as s; b = s('auto'); print('backend:', b.name, '-', b.reason)"
echo "== CuPy and engine tests"
timeout 150 python3 -m pytest -o addopts= -p no:cacheprovider -q -rs \
  tests/test_engine_cupy.py tests/test_engine_layers.py tests/test_engine_model.py tests/test_engine_train.py 2>&1 | tail -15
echo "== 10 epochs: CuPy, PyTorch CUDA, PyTorch CPU (all cores)"
timeout 240 python3 benchmarks/lenet.py --backend cupy --epochs 10 --skip-numpy
echo "== 1 epoch on 2 cores: NumPy against PyTorch CPU"
taskset -c 0,1 timeout 120 python3 benchmarks/lenet.py --threads 2 --epochs 1
echo "== CuPy without the custom kernels, and CuPy at batch 256"
DL_TUTOR_GPU_KERNELS=0 timeout 60 python3 benchmarks/lenet.py --backend cupy --epochs 1 --skip-numpy --no-torch
timeout 60 python3 benchmarks/lenet.py --backend cupy --epochs 1 --batch-size 256 --skip-numpy --no-torch
