# Sentence retrieval (BUCC, Tatoeba): no training; the intermediate checkpoint (the base
# model for the baseline row) embeds the sentences of every retrieval task and language in
# one job per checkpoint.


rule evaluate_retrieval:
    input:
        init=init_checkpoint,
        data=lambda wc: retrieval_data(),
    output:
        expand(paths.PREDICTIONS, target=RETRIEVAL_TARGETS, allow_missing=True),
    log:
        paths.RETRIEVAL_LOG,
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        specs=as_json(
            [task_spec("target_tasks", t).to_dict() for t in RETRIEVAL_TARGETS]
        ),
        layer=config["model"]["retrieval_layer"],
    shell:
        "{params.python} scripts/retrieve.py --specs {params.specs:q} --init {input.init:q}"
        " --layer {params.layer} --data {params.data:q} --outputs {output:q}"
        " --threads {threads} --gpus {resources.gpu} > {log:q} 2>&1"
