# The workflow's locked environment for GPU machines and clusters: requirements/cuda.txt
# (Python 3.11, torch's CUDA build from PyPI with the CUDA libraries as wheels, so the host
# needs only its NVIDIA driver). Like the conda environments it holds no project code: run
# it in a checkout, whose Snakefile gives every job the checkout's package (PYTHONPATH).
#   docker build -t xstilts .
#   docker run --gpus all -v "$PWD:/work" xstilts snakemake --cores all results/table2.csv
#   apptainer build xstilts.sif docker-daemon://xstilts:latest
#   apptainer exec --nv xstilts.sif snakemake --cores all results/table2.csv
FROM python:3.11.7-slim-bookworm

# git: the provenance records name the checkout's commit (mounted, owned by another user)
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*'
COPY requirements/cuda.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
WORKDIR /work
