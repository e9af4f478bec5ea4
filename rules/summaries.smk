# Summaries read back from the tables and data manifests (no torch, seconds each): Table 1,
# the comparison with the published numbers, and the figures. Local rules: on SLURM they
# would spend longer queued than running.
from xstilts.report.table1 import datasets_read, describe_tasks

TABLE1_TASKS = describe_tasks(config, config["experiment"]["intermediate"], TARGETS)
FIGURES = "results/figures"


localrules:
    table1,
    paper_comparison,
    figures,


rule table1:
    input:
        expand(
            f"{PREPARED}/{{dataset}}", dataset=datasets_read(TABLE1_TASKS, UNAVAILABLE)
        ),
    output:
        report(
            "results/table1.csv",
            caption="../report/table1.rst",
            category="Tables",
        ),
    log:
        "logs/table1.log",
    conda:
        ENV
    params:
        tasks=as_json(TABLE1_TASKS),
        unavailable=as_json(UNAVAILABLE),
    shell:
        "python scripts/table1.py --tasks {params.tasks:q}"
        " --unavailable {params.unavailable:q} --datasets {input:q}"
        " --output {output:q} > {log:q} 2>&1"


rule paper_comparison:
    input:
        table="results/table2.csv",
        intervals="results/table2_improvement_ci.csv",
        reference=PAPER_REFERENCE,
    output:
        report(
            "results/paper_comparison.csv",
            caption="../report/paper_comparison.rst",
            category="Tables",
        ),
    log:
        "logs/paper_comparison.log",
    conda:
        ENV
    shell:
        "python scripts/paper_comparison.py --table {input.table:q}"
        " --intervals {input.intervals:q} --reference {input.reference:q}"
        " --output {output:q} > {log:q} 2>&1"


rule figures:
    input:
        table="results/table2.csv",
        long="results/table2_long.csv",
        intervals="results/table2_improvement_ci.csv",
        reference=PAPER_REFERENCE,
    output:
        heatmap=report(
            f"{FIGURES}/improvement_heatmap.svg",
            caption="../report/improvement_heatmap.rst",
            category="Figures",
        ),
        heatmap_png=f"{FIGURES}/improvement_heatmap.png",
        per_language=report(
            f"{FIGURES}/per_language_improvement.svg",
            caption="../report/per_language_improvement.rst",
            category="Figures",
        ),
        per_language_png=f"{FIGURES}/per_language_improvement.png",
        average=report(
            f"{FIGURES}/average_improvement.svg",
            caption="../report/average_improvement.rst",
            category="Figures",
        ),
        average_png=f"{FIGURES}/average_improvement.png",
    log:
        "logs/figures.log",
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
        " --average {output.average:q} {output.average_png:q} > {log:q} 2>&1"
