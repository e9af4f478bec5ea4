# Scoring with the official metric of each target task (reads JSON and parquet only).


rule score:
    input:
        predictions="results/predictions/{intermediate}/{target}/seed{seed}.json",
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
    output:
        "results/scores/{intermediate}/{target}/seed{seed}.json",
    log:
        "logs/score/{intermediate}/{target}/seed{seed}.log",
    conda:
        ENV
    params:
        data=PREPARED,
        spec=lambda wc: task_spec("target_tasks", wc.target).to_json(),
    shell:
        "python scripts/score.py --spec {params.spec:q} --data {params.data:q}"
        " --predictions {input.predictions:q} --output {output:q} > {log:q} 2>&1"
