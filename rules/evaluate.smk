# Scoring with the official metric of each target task (reads JSON and parquet only).


rule score:
    input:
        predictions=paths.PREDICTIONS,
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
    output:
        paths.SCORES,
    log:
        paths.SCORE_LOG,
    conda:
        REPORT_ENV
    params:
        data=paths.DATA,
        spec=lambda wc: task_spec("target_tasks", wc.target).to_json(),
    shell:
        "python scripts/score.py --spec {params.spec:q} --data {params.data:q}"
        " --predictions {input.predictions:q} --output {output:q} > {log:q} 2>&1"
