# Summaries read back from the tables and data manifests (no torch, seconds each): Table 1,
# the comparison with the published numbers, and the figures. Local rules: on SLURM they
# would spend longer queued than running.
from xstilts.report.table1 import datasets_read, describe_tasks

TABLE1_TASKS = describe_tasks(config, config["experiment"]["intermediate"], TARGETS)


localrules:
    table1,
    paper_comparison,
    figures,


rule table1:
    input:
        expand(paths.PREPARED, dataset=datasets_read(TABLE1_TASKS, UNAVAILABLE)),
    output:
        table=report(
            paths.TABLE1,
            caption="../report/table1.rst",
            category="Tables",
        ),
        provenance=paths.TABLE1_PROVENANCE,
    log:
        paths.TABLE1_LOG,
    conda:
        ENV
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
        table=report(
            paths.PAPER_COMPARISON,
            caption="../report/paper_comparison.rst",
            category="Tables",
        ),
        provenance=paths.PAPER_COMPARISON_PROVENANCE,
    log:
        paths.PAPER_COMPARISON_LOG,
    conda:
        ENV
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
        per_language=report(
            paths.figure("per_language_improvement", "svg"),
            caption="../report/per_language_improvement.rst",
            category="Figures",
        ),
        per_language_png=paths.figure("per_language_improvement", "png"),
        average=report(
            paths.figure("average_improvement", "svg"),
            caption="../report/average_improvement.rst",
            category="Figures",
        ),
        average_png=paths.figure("average_improvement", "png"),
        # the hashes of the figures and of the tables they were drawn from
        provenance=paths.FIGURES_PROVENANCE,
    log:
        paths.FIGURES_LOG,
    conda:
        ENV
    params:
        # how a language's score enters the averages (QA: (EM + F1) / 2)
        metrics=as_json({t: config["target_tasks"][t]["metric"] for t in TARGETS}),
    shell:
        "python scripts/figures.py --table {input.table:q} --long {input.long:q}"
        " --intervals {input.intervals:q} --reference {input.reference:q} --metrics {params.metrics:q}"
        " --heatmap {output.heatmap:q} {output.heatmap_png:q}"
        " --per-language {output.per_language:q} {output.per_language_png:q}"
        " --average {output.average:q} {output.average_png:q}"
        " --provenance-output {output.provenance:q} > {log:q} 2>&1"
