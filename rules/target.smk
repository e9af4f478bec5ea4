# Target training on English data from an intermediate checkpoint's encoder, then
# zero-shot prediction of every evaluation language in the same job.


rule train_target:
    input:
        init=init_checkpoint,
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
    output:
        model=directory("models/target/{intermediate}/{target}"),
        predictions="results/predictions/{intermediate}/{target}.json",
    log:
        "logs/train_target/{intermediate}/{target}.log",
    wildcard_constraints:
        target="|".join(TRAINED_TARGETS) or "^$",
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
    params:
        data=PREPARED,
        spec=lambda wc: as_json(task_spec("target_tasks", wc.target)),
    shell:
        "python scripts/train.py --spec {params.spec:q} --init {input.init:q}"
        " --data {params.data:q} --output {output.model:q}"
        " --predictions {output.predictions:q} --threads {threads} > {log:q} 2>&1"
