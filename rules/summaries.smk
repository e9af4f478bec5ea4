# Summaries read back from the tables, data manifests and checkpoints (no torch, seconds
# each): Table 1, the comparison with the published numbers, the figures, the training
# curves and the report's table pages. Local rules: on SLURM they would spend longer queued
# than running.
import shlex

from xstilts.report.table1 import datasets_read, describe_tasks

TABLE1_TASKS = describe_tasks(config, config["experiment"]["intermediate"], TARGETS)


localrules:
    table1,
    paper_comparison,
    figures,
    curves,
    report_tables,


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
        tables=lambda wc, input: " ".join(
            shlex.quote(f"--table={name}={path}") for name, path in input.items()
        ),
    shell:
        "python scripts/report_tables.py {params.tables} --output {output.pages:q}"
        " --provenance-output {output.provenance:q} > {log:q} 2>&1"
