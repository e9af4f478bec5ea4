#!/bin/sh
# Regenerates the locks from pyproject.toml (dependencies and every extra), keeping each
# pinned version that still fits (uv reads the old lock); about 20 s:
#   sh requirements/lock.sh              # after adding or changing a dependency
#   sh requirements/lock.sh --upgrade    # newest versions of everything unpinned
# Then commit pyproject.toml, requirements/ and environment.yml, envs/ together.
#
# cuda.txt  Linux x86_64, Python 3.11-3.13: torch from PyPI (its CUDA build, with the
#           nvidia-* wheels it needs). GPU machines, SLURM clusters, the container.
# cpu.txt   Linux x86_64, Python 3.11: torch's CPU build (no nvidia-* wheels; 1/10 of the
#           download). CI and the tests. PyTorch serves it from its own index
#           (https://download.pytorch.org/whl/cpu); the machines this project is built on
#           reach only PyPI and keep that wheel in /opt/wheels, which is used where present.
set -eu
cd "$(dirname "$0")/.."
export UV_CUSTOM_COMPILE_COMMAND="sh requirements/lock.sh"
if [ -d /opt/wheels ]; then torch_cpu="--find-links /opt/wheels"; else torch_cpu="--torch-backend cpu"; fi

uv pip compile pyproject.toml --all-extras --generate-hashes --universal --quiet \
    --output-file requirements/cuda.txt "$@"
# shellcheck disable=SC2086  # two words
uv pip compile pyproject.toml --all-extras --generate-hashes --quiet $torch_cpu \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --output-file requirements/cpu.txt "$@"
grep -q '^torch==[^ ]*+cpu ' requirements/cpu.txt || {
    echo "requirements/cpu.txt: torch is not a CPU build (+cpu); is PyTorch's CPU index reachable?" >&2
    exit 1
}
