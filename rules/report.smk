# Tables of the paper, from the score files.
GRID_TABLE = (
    "python scripts/table2.py --layout {params.layout:q} --scores {input:q}"
    " --bootstrap {params.bootstrap:q} --output {output.table:q}"
    " --long-output {output.long:q} --ci-output {output.ci:q}"
    " --records-output {output.records:q} --provenance-output {output.provenance:q}"
    " > {log:q} 2>&1"
)


rule table2:
    input:
        score_files(TABLE_ROWS),
    output:
        table="results/table2.csv",
        long="results/table2_long.csv",
        # each cell's bootstrap interval and its improvement's, per language too
        ci="results/table2_improvement_ci.csv",
        # each cell's score-file record ids, for `scripts/audit.py`
        records="results/table2_records.csv",
        # the hashes of the score files read and of the tables written
        provenance="results/table2.provenance.json",
    log:
        "logs/table2.log",
    conda:
        ENV
    params:
        layout=grid_layout(TABLE_ROWS),
        bootstrap=as_json(config["bootstrap"]),
    shell:
        GRID_TABLE


# The MLM and translated-data experiments: their rows next to the rows they vary.
rule extra_table:
    input:
        lambda wc: score_files(EXTRA_TABLES[wc.table]),
    output:
        table="results/table_{table}.csv",
        long="results/table_{table}_long.csv",
        ci="results/table_{table}_improvement_ci.csv",
        records="results/table_{table}_records.csv",
        provenance="results/table_{table}.provenance.json",
    log:
        "logs/extra_table/{table}.log",
    wildcard_constraints:
        table="|".join(EXTRA_TABLES) or "^$",
    conda:
        ENV
    params:
        layout=lambda wc: grid_layout(EXTRA_TABLES[wc.table]),
        bootstrap=as_json(config["bootstrap"]),
    shell:
        GRID_TABLE


# Test sets: per target, the Table 2 row with the best dev score next to the baseline.
rule table3:
    input:
        scores=score_files(TABLE_ROWS),
        reference=PAPER_REFERENCE,
    output:
        "results/table3.csv",
    log:
        "logs/table3.log",
    conda:
        ENV
    params:
        layout=as_json(
            {
                "rows": available(TABLE_ROWS),
                "targets": TARGETS,
                "seeds": SEEDS,
                "categories": CATEGORIES,
                "fixed": config["table3"]["intermediate"],
            }
        ),
    shell:
        "python scripts/table3.py --layout {params.layout:q} --scores {input.scores:q}"
        " --reference {input.reference:q} --output {output:q} > {log:q} 2>&1"
