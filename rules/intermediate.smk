# Intermediate training on one English task, starting from the base model.


rule train_intermediate:
    input:
        init=paths.BASE_MODEL,
        data=lambda wc: prepared(task_spec("intermediate_tasks", wc.task)),
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
