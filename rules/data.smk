# The inputs of training: every dataset prepared into the canonical format (hub download,
# local release files, or demo generation), and the base model (downloaded, copied from
# disk, or built for the demo).


localrules:
    prepare_dataset,
    base_model,


rule prepare_dataset:
    input:
        # a local source's release files: editing one prepares the dataset again
        local_release_files,
    output:
        directory(paths.PREPARED),
    log:
        paths.PREPARE_LOG,
    conda:
        ENV
    params:
        spec=dataset_spec,
        demo=as_json(config["demo"]),
    shell:
        "python scripts/prepare_data.py --name {wildcards.dataset:q} --spec {params.spec:q}"
        " --demo {params.demo:q} --output {output:q} > {log:q} 2>&1"


rule base_model:
    input:
        # the demo's tokenizer is trained on every generated dataset, whichever the
        # experiment uses, so that changing the experiment keeps the base model
        corpus=generated_datasets() if config["model"]["source"] == "build" else [],
        # a local model directory's files: editing one rebuilds the base model
        model=local_files(config["model"]),
    output:
        directory(paths.BASE_MODEL),
    log:
        paths.BASE_MODEL_LOG,
    conda:
        ENV
    params:
        # the retrieval layer concerns evaluate_retrieval only: changing it keeps the base
        spec=as_json(
            {k: v for k, v in config["model"].items() if k != "retrieval_layer"}
        ),
        seed=config["model"]["seed"],
    shell:
        "python scripts/base_model.py --spec {params.spec:q} --seed {params.seed}"
        " --corpus {input.corpus:q} --output {output:q} > {log:q} 2>&1"
