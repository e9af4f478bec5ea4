# Evaluation: the predictions that no training job writes, then the scores. A target whose
# training another target (or, for the baseline, an intermediate task) already does is
# predicted from that model in a job of its own (xstilts.config.sharing); sentence retrieval
# (BUCC, Tatoeba) trains nothing. Scoring applies the official metric of each target task
# (reads JSON and parquet only).


rule predict_shared_target:
    input:
        model=trained_model,
        data=target_data,
    output:
        paths.PREDICTIONS,
    log:
        paths.PREDICT_LOG,
    wildcard_constraints:
        target="|".join(SHARING_TARGETS) or "^$",
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        spec=training_spec("target_tasks"),
    shell:
        PREDICT_COMMAND


# The baseline's own model for a target whose training an intermediate task does.
use rule predict_shared_target as predict_target_from_intermediate with:
    wildcard_constraints:
        intermediate=BASELINE,
        target="|".join(BASELINE_REUSED) or "^$",


ruleorder: predict_target_from_intermediate > train_target


# Sentence retrieval: the intermediate checkpoint (the base model for the baseline row)
# embeds the sentences of every retrieval task and language in one job per checkpoint.
rule evaluate_retrieval:
    input:
        init=init_checkpoint,
        data=retrieval_data,
    output:
        expand(paths.PREDICTIONS, target=RETRIEVAL_TARGETS, allow_missing=True),
    log:
        paths.RETRIEVAL_LOG,
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        specs=as_json(
            [task_spec("target_tasks", t).to_dict() for t in RETRIEVAL_TARGETS]
        ),
        layer=config["model"]["retrieval_layer"],
    shell:
        "{params.python} scripts/retrieve.py --specs {params.specs:q} --init {input.init:q}"
        " --layer {params.layer} --data {params.data:q} --outputs {output:q}"
        " --threads {threads} --gpus {resources.gpu} > {log:q} 2>&1"


rule score:
    input:
        predictions=paths.PREDICTIONS,
        data=target_data,
    output:
        paths.SCORES,
    log:
        paths.SCORE_LOG,
    conda:
        REPORT_ENV
    params:
        data=paths.DATA,
        spec=scoring_spec,
    shell:
        "python scripts/score.py --spec {params.spec:q} --data {params.data:q}"
        " --predictions {input.predictions:q} --output {output:q} > {log:q} 2>&1"
