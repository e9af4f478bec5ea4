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


# the pipeline's stages, in the order the data flows through them
include: "rules/common.smk"  # configuration, constants, input functions; no rules
include: "rules/data.smk"  # prepared datasets, base model
include: "rules/train.smk"  # intermediate and target training
include: "rules/evaluate.smk"  # predictions from shared models, retrieval, scores
include: "rules/tables.smk"  # Tables 1-3, extra tables, translation quality, comparison
include: "rules/report.smk"  # figures, training curves, report pages, the audit


rule all:
    default_target: True
    input:
        # the audit reads every published output (rules/report.smk), and checks each
        rules.audit.output,
