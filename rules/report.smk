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
        table=paths.TABLE2,  # in the report as rendered by rule report_tables
        long=paths.TABLE2_LONG,
        # each cell's bootstrap interval and its improvement's, per language too
        ci=paths.TABLE2_CI,
        # each cell's score-file record ids, for `scripts/audit.py`
        records=paths.TABLE2_RECORDS,
        # the hashes of the score files read and of the tables written
        provenance=paths.TABLE2_PROVENANCE,
    log:
        paths.TABLE2_LOG,
    conda:
        REPORT_ENV
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
        table=paths.EXTRA_TABLE,
        long=paths.EXTRA_TABLE_LONG,
        ci=paths.EXTRA_TABLE_CI,
        records=paths.EXTRA_TABLE_RECORDS,
        provenance=paths.EXTRA_TABLE_PROVENANCE,
    log:
        paths.EXTRA_TABLE_LOG,
    wildcard_constraints:
        table="|".join(EXTRA_TABLES) or "^$",
    conda:
        REPORT_ENV
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
        table=paths.TABLE3,
        provenance=paths.TABLE3_PROVENANCE,
    log:
        paths.TABLE3_LOG,
    conda:
        REPORT_ENV
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
        " --reference {input.reference:q} --output {output.table:q}"
        " --provenance-output {output.provenance:q} > {log:q} 2>&1"
