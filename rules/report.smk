# Tables of the paper, from the score files.


rule table2:
    input:
        expand(
            "results/scores/{intermediate}/{target}.json",
            intermediate=ROWS,
            target=TARGETS,
        ),
    output:
        table="results/table2.csv",
        long="results/table2_long.csv",
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
                "categories": {
                    t: config["target_tasks"][t]["category"] for t in TARGETS
                },
            }
        ),
    shell:
        "python scripts/table2.py --layout {params.layout:q} --scores {input:q}"
        " --output {output.table:q} --long-output {output.long:q} > {log:q} 2>&1"
