# Translation quality of the machine-translated intermediate data (chrF and BLEU against
# human translations of the same English sentences, where a source has both). Seconds of
# CPU: a local rule.
import os

from xstilts.report.translation import translated_datasets

TRANSLATED = translated_datasets(config["datasets"])


localrules:
    translation_quality,


rule translation_quality:
    input:
        expand(
            paths.PREPARED,
            dataset=sorted(
                {
                    *TRANSLATED,
                    *(d["reference"]["dataset"] for d in TRANSLATED.values()),
                }
            ),
        ),
    output:
        table=paths.TRANSLATION_QUALITY,
        provenance=paths.TRANSLATION_QUALITY_PROVENANCE,
    log:
        paths.TRANSLATION_QUALITY_LOG,
    conda:
        REPORT_ENV
    params:
        data=lambda wc, input: os.path.dirname(input[0]),
        datasets=lambda wc: as_json(TRANSLATED),  # a function: `{lang}` is no wildcard
    shell:
        "python scripts/translation_quality.py --datasets {params.datasets:q}"
        " --data {params.data:q} --output {output.table:q}"
        " --provenance {output.provenance:q} > {log:q} 2>&1"
