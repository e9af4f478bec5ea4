# Tables of the paper and its companions: Table 1 (the tasks, from the data manifests),
# Table 2 and the extra tables (the grid of scores), Table 3 (test sets), the translation
# quality of the machine-translated data, and the comparison with the published numbers.
# Table 1, the translation quality and the comparison take seconds without torch: local
# rules, which on SLURM would spend longer queued than running.


localrules:
    table1,
    translation_quality,
    paper_comparison,


rule table1:
    input:
        expand(paths.PREPARED, dataset=datasets_read(TABLE1_TASKS, UNAVAILABLE)),
    output:
        table=paths.TABLE1,
        provenance=paths.TABLE1_PROVENANCE,
    log:
        paths.TABLE1_LOG,
    conda:
        REPORT_ENV
    params:
        tasks=as_json(TABLE1_TASKS),
        unavailable=as_json(UNAVAILABLE),
    shell:
        "python scripts/table1.py --tasks {params.tasks:q}"
        " --unavailable {params.unavailable:q} --datasets {input:q}"
        " --output {output.table:q} --provenance-output {output.provenance:q} > {log:q} 2>&1"


# The command of Table 2 and of the extra tables: the same grid, other rows.
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
        extra_table_scores,
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
        layout=extra_table_layout,
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


# Translation quality of the machine-translated intermediate data (chrF and BLEU against
# human translations of the same English sentences, where a source has both).
rule translation_quality:
    input:
        expand(
            paths.PREPARED,
            dataset=sorted(
                {
                    *TRANSLATED,
                    *(d["reference"]["dataset"] for d in TRANSLATED.values()),
                }
            ),
        ),
    output:
        table=paths.TRANSLATION_QUALITY,
        provenance=paths.TRANSLATION_QUALITY_PROVENANCE,
    log:
        paths.TRANSLATION_QUALITY_LOG,
    conda:
        REPORT_ENV
    params:
        data=prepared_directory,
        datasets=translated_specs,
    shell:
        "python scripts/translation_quality.py --datasets {params.datasets:q}"
        " --data {params.data:q} --output {output.table:q}"
        " --provenance {output.provenance:q} > {log:q} 2>&1"


rule paper_comparison:
    input:
        table=rules.table2.output.table,
        intervals=rules.table2.output.ci,
        reference=PAPER_REFERENCE,
    output:
        table=paths.PAPER_COMPARISON,
        provenance=paths.PAPER_COMPARISON_PROVENANCE,
    log:
        paths.PAPER_COMPARISON_LOG,
    conda:
        REPORT_ENV
    shell:
        "python scripts/paper_comparison.py --table {input.table:q}"
        " --intervals {input.intervals:q} --reference {input.reference:q}"
        " --output {output.table:q} --provenance-output {output.provenance:q}"
        " > {log:q} 2>&1"
