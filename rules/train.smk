# Training: intermediate training on one English task, starting from the base model; target
# training on English data from an intermediate checkpoint's encoder (the base model's for
# the baseline row), then zero-shot prediction of every evaluation language in the same job.
# Targets predicted with a model that another training writes: evaluate.smk.


rule train_intermediate:
    input:
        init=paths.BASE_MODEL,
        data=intermediate_data,
    output:
        directory(paths.INTERMEDIATE_MODEL),
    log:
        paths.INTERMEDIATE_LOG,
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
        # a resource, not a parameter: when checkpoints are written changes no result
        checkpoint_minutes=config["resume_checkpoint_minutes"],
        # likewise: where the curves are also sent changes no result
        report_to=config["report_to"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        spec=training_spec("intermediate_tasks"),
    shell:
        "{params.python} scripts/train.py --spec {params.spec:q} --init {input.init:q}"
        " --data {params.data:q} --output {output:q} --threads {threads} --gpus {resources.gpu}"
        " --checkpoint-minutes {resources.checkpoint_minutes}"
        " --report-to {resources.report_to} > {log:q} 2>&1"


rule train_target:
    input:
        init=init_checkpoint,
        data=target_data,
    output:
        model=directory(paths.TARGET_MODEL),
        predictions=paths.PREDICTIONS,
    log:
        paths.TARGET_LOG,
    wildcard_constraints:
        target="|".join(OWN_MODEL_TARGETS) or "^$",
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
        # a resource, not a parameter: when checkpoints are written changes no result
        checkpoint_minutes=config["resume_checkpoint_minutes"],
        # likewise: where the curves are also sent changes no result
        report_to=config["report_to"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        spec=training_spec("target_tasks"),
    shell:
        "{params.python} scripts/train.py --spec {params.spec:q} --init {input.init:q}"
        " --data {params.data:q} --output {output.model:q}"
        " --predictions {output.predictions:q} --threads {threads} --gpus {resources.gpu}"
        " --checkpoint-minutes {resources.checkpoint_minutes}"
        " --report-to {resources.report_to} > {log:q} 2>&1"
