# xstilts: rebuilds the tables and figures of Phang et al. (AACL 2020), "English
# Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer Too".
#
#   snakemake --cores all results/table2.csv                              # the paper
#   snakemake --cores all --configfile config/demo.yaml results/table2.csv # offline demo
#
# Directory contract (every path below is produced by exactly one rule):
#   data/prepared/<dataset>/                      canonical parquet + manifest.json  (data.smk)
#   models/base/                                  base checkpoint + tokenizer        (models.smk)
#   models/intermediate/<task>/seed<s>/           selected intermediate checkpoint   (intermediate.smk)
#   models/target/<intermediate>/<target>/seed<s>/  selected target checkpoint       (target.smk)
#   results/predictions/<intermediate>/<target>/seed<s>.json  zero-shot predictions, all
#                                                 languages, dev and test splits (target.smk;
#                                                 retrieval.smk for BUCC, Tatoeba)
#   results/scores/<intermediate>/<target>/seed<s>.json  official metric per language (evaluate.smk)
#   results/table2{,_long,_records}.csv           Table 2, its long form, record ids (report.smk)
#   results/table2_improvement_ci.csv             bootstrap intervals, significance  (report.smk)
#   results/table_<name>{,_long,_records,_improvement_ci}.csv  extra tables: MLM,
#                                                 translated data                    (report.smk)
#   results/table3.csv                            test sets, best intermediate task per target
#   results/translation_quality.csv               chrF/BLEU of translated data  (translation.smk)
#   results/table1.csv, results/paper_comparison.csv, results/figures/
#                                                 summaries of the above             (summaries.smk)
#   logs/<rule>/...                               one log per job
# <intermediate> is an intermediate task or `baseline` (the base model itself); <s> is one
# of the config's `seeds`: seed s of a target model starts from seed s of its intermediate
# model. A killed training job leaves <checkpoint>.work/ to resume from.
# Every directory and file appears under its final name only when complete.


from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


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
        "results/table2.csv",
        "results/table3.csv",
        expand("results/table_{table}.csv", table=EXTRA_TABLES),
        # none where an overlay removes the translated datasets (`mnli_mt: null`)
        rules.translation_quality.output if TRANSLATED else [],
        rules.table1.output,
        rules.paper_comparison.output,
        rules.figures.output,
