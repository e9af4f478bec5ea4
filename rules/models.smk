# The base model: downloaded, copied from disk, or built for the demo.


localrules:
    base_model,


rule base_model:
    input:
        # the demo's tokenizer is trained on the generated corpus
        corpus=used_datasets() if config["model"]["source"] == "build" else [],
    output:
        directory("models/base"),
    log:
        "logs/base_model.log",
    conda:
        ENV
    params:
        # the retrieval layer concerns evaluate_retrieval only: changing it keeps the base
        spec=as_json(
            {k: v for k, v in config["model"].items() if k != "retrieval_layer"}
        ),
        seed=config["seed"],
    shell:
        "python scripts/base_model.py --spec {params.spec:q} --seed {params.seed}"
        " --corpus {input.corpus:q} --output {output:q} > {log:q} 2>&1"
