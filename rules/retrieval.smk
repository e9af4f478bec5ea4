# Sentence retrieval (BUCC, Tatoeba): no training; the intermediate checkpoint (the base
# model for the baseline row) embeds the sentences of every evaluation language in one job.


rule evaluate_retrieval:
    input:
        init=init_checkpoint,
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
    output:
        "results/predictions/{intermediate}/{target}.json",
    log:
        "logs/evaluate_retrieval/{intermediate}/{target}.log",
    wildcard_constraints:
        target="|".join(RETRIEVAL_TARGETS) or "^$",
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
    params:
        data=PREPARED,
        spec=lambda wc: as_json(task_spec("target_tasks", wc.target)),
        layer=config["model"]["retrieval_layer"],
    shell:
        "python scripts/retrieve.py --spec {params.spec:q} --init {input.init:q}"
        " --layer {params.layer} --data {params.data:q} --output {output:q}"
        " --threads {threads} > {log:q} 2>&1"
