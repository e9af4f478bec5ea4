# Data preparation: hub download (or demo generation) into the canonical format.


localrules:
    prepare_dataset,


rule prepare_dataset:
    input:
        # a local source's release files: editing one prepares the dataset again
        lambda wc: local_files(config["datasets"][wc.dataset]),
    output:
        directory(paths.PREPARED),
    log:
        paths.PREPARE_LOG,
    conda:
        ENV
    params:
        spec=lambda wc: as_json(config["datasets"][wc.dataset]),
        demo=as_json(config["demo"]),
    shell:
        "python scripts/prepare_data.py --name {wildcards.dataset:q} --spec {params.spec:q}"
        " --demo {params.demo:q} --output {output:q} > {log:q} 2>&1"
