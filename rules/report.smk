# What `snakemake --report` shows besides the workflow page (report/workflow.rst): the
# figures, the training curves and every table as an HTML page. Seconds each, read back
# from the tables and checkpoints: local rules, which on SLURM would spend longer queued
# than running.


localrules:
    figures,
    curves,
    report_tables,
    audit,


rule figures:
    input:
        table=rules.table2.output.table,
        long=rules.table2.output.long,
        intervals=rules.table2.output.ci,
        reference=PAPER_REFERENCE,
    output:
        heatmap=report(
            paths.figure("improvement_heatmap", "svg"),
            caption="../report/improvement_heatmap.rst",
            category="Figures",
        ),
        heatmap_png=paths.figure("improvement_heatmap", "png"),
        heatmap_pdf=paths.figure("improvement_heatmap", "pdf"),
        per_language=report(
            paths.figure("per_language_improvement", "svg"),
            caption="../report/per_language_improvement.rst",
            category="Figures",
        ),
        per_language_png=paths.figure("per_language_improvement", "png"),
        per_language_pdf=paths.figure("per_language_improvement", "pdf"),
        average=report(
            paths.figure("average_improvement", "svg"),
            caption="../report/average_improvement.rst",
            category="Figures",
        ),
        average_png=paths.figure("average_improvement", "png"),
        average_pdf=paths.figure("average_improvement", "pdf"),
        # the hashes of the figures and of the tables they were drawn from
        provenance=paths.FIGURES_PROVENANCE,
    log:
        paths.FIGURES_LOG,
    conda:
        REPORT_ENV
    params:
        # how a language's score enters the averages (QA: (EM + F1) / 2)
        metrics=as_json({t: config["target_tasks"][t]["metric"] for t in TARGETS}),
        names=as_json(config["display_names"]),
    shell:
        "python scripts/figures.py --table {input.table:q} --long {input.long:q}"
        " --intervals {input.intervals:q} --reference {input.reference:q} --metrics {params.metrics:q}"
        " --names {params.names:q}"
        " --heatmap {output.heatmap:q} {output.heatmap_png:q} {output.heatmap_pdf:q}"
        " --per-language {output.per_language:q} {output.per_language_png:q} {output.per_language_pdf:q}"
        " --average {output.average:q} {output.average_png:q} {output.average_pdf:q}"
        " --provenance-output {output.provenance:q} > {log:q} 2>&1"


# Loss and selection score over the steps of every trained model, from the log history in
# its checkpoint, the selected step marked.
rule curves:
    input:
        trained_checkpoints(),
    output:
        curves=report(
            directory(paths.CURVES),
            patterns=["{name}.png"],
            caption="../report/curves.rst",
            category="Training curves",
        ),
        provenance=paths.CURVES_PROVENANCE,
    log:
        paths.CURVES_LOG,
    conda:
        ENV
    params:
        names=as_json(config["display_names"]),
    shell:
        "python scripts/curves.py --checkpoints {input:q} --names {params.names:q}"
        " --output {output.curves:q} --provenance-output {output.provenance:q} > {log:q} 2>&1"


# Every table of the default target as an HTML page of `snakemake --report` (its viewer
# shows HTML and images, and offers other files for download only); the workflow page is
# report/workflow.rst (Snakefile).
rule report_tables:
    input:
        unpack(report_tables),
    output:
        pages=report(
            directory(paths.REPORT_TABLES),
            patterns=["{name}.html"],
            caption="../report/tables.rst",
            category="Tables",
        ),
        provenance=paths.REPORT_TABLES_PROVENANCE,
    log:
        paths.REPORT_TABLES_LOG,
    conda:
        ENV
    params:
        tables=table_options,
    shell:
        "python scripts/report_tables.py {params.tables} --output {output.pages:q}"
        " --provenance-output {output.provenance:q} > {log:q} 2>&1"


# Every published output audited (scripts/audit.py --all): each number computed again from
# its inputs, each hash checked, and the root digest of the whole chain to publish, shown on
# a page of the report. Seconds on the demo, about a minute and a half on the paper grid.
rule audit:
    input:
        rules.table2.output.table,
        rules.table3.output,
        expand(rules.extra_table.output.table, table=EXTRA_TABLES),
        # none where an overlay removes the translated datasets (`mnli_mt: null`)
        rules.translation_quality.output if TRANSLATED else [],
        rules.table1.output,
        rules.paper_comparison.output,
        rules.figures.output,
        rules.curves.output,
        rules.report_tables.output,
    output:
        digest=paths.AUDIT_DIGEST,
        page=report(paths.AUDIT_PAGE, caption="../report/audit.rst", category="Audit"),
    log:
        paths.AUDIT_LOG,
    conda:
        REPORT_ENV
    shell:
        "python scripts/audit.py --all --digest-out {output.digest:q} --page {output.page:q}"
        " > {log:q} 2>&1"
