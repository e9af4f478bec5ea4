# xstilts: rebuilds the tables and figures of Phang et al. (AACL 2020), "English
# Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer Too".
#
#   snakemake --cores all results/table2.csv                              # the paper
#   snakemake --cores all --configfile config/demo.yaml results/table2.csv # offline demo
#
# Directory contract: xstilts/spec/paths.py defines every path the workflow writes, once, as
# a pattern with wildcards (each produced by exactly one rule); the rules below, the status
# and audit commands and the cost plan use those patterns. Every directory and file appears
# under its final name only when complete.


from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


# the first page of `snakemake --report`: what the workflow does, under which protocol
report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/intermediate.smk"
include: "rules/target.smk"
include: "rules/retrieval.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"
include: "rules/summaries.smk"
include: "rules/translation.smk"


rule all:
    default_target: True
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
