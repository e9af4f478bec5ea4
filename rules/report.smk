# Tables of the paper, from the score files.


rule table2:
    input:
        expand(
            "results/scores/{intermediate}/{target}/seed{seed}.json",
            intermediate=ROWS,
            target=TARGETS,
            seed=SEEDS,
        ),
    output:
        table="results/table2.csv",
        long="results/table2_long.csv",
        # each cell's score-file record ids, for `scripts/audit.py`
        records="results/table2_records.csv",
    log:
        "logs/table2.log",
    conda:
        ENV
    params:
        layout=as_json(
            {
                "rows": TABLE_ROWS,
                "unavailable": UNAVAILABLE,
                "targets": TARGETS,
                "seeds": SEEDS,
                "categories": {
                    t: config["target_tasks"][t]["category"] for t in TARGETS
                },
            }
        ),
    shell:
        "python scripts/table2.py --layout {params.layout:q} --scores {input:q}"
        " --output {output.table:q} --long-output {output.long:q}"
        " --records-output {output.records:q} > {log:q} 2>&1"
