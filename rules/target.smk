# Target training on English data from an intermediate checkpoint's encoder, then
# zero-shot prediction of every evaluation language in the same job. A target whose
# training another target (or, for the baseline, an intermediate task) already does is
# predicted from that model in a job of its own (xstilts.config.sharing).


rule train_target:
    input:
        init=init_checkpoint,
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
    output:
        model=directory(paths.TARGET_MODEL),
        predictions=paths.PREDICTIONS,
    log:
        paths.TARGET_LOG,
    wildcard_constraints:
        target="|".join(OWN_MODEL_TARGETS) or "^$",
    conda:
        ENV
    threads: config["threads"]
    resources:
        gpu=config["gpus_per_job"],
        # a resource, not a parameter: when checkpoints are written changes no result
        checkpoint_minutes=config["resume_checkpoint_minutes"],
        # likewise: where the curves are also sent changes no result
        report_to=config["report_to"],
    params:
        python=JOB_PYTHON,
        data=paths.DATA,
        spec=training_spec("target_tasks"),
    shell:
        "{params.python} scripts/train.py --spec {params.spec:q} --init {input.init:q}"
        " --data {params.data:q} --output {output.model:q}"
        " --predictions {output.predictions:q} --threads {threads} --gpus {resources.gpu}"
        " --checkpoint-minutes {resources.checkpoint_minutes}"
        " --report-to {resources.report_to} > {log:q} 2>&1"


rule predict_shared_target:
    input:
        model=trained_model,
        data=lambda wc: prepared(task_spec("target_tasks", wc.target)),
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
