# Pages of `snakemake --report` beyond the outputs themselves: every table of the default
# target rendered as HTML (the report's viewer shows HTML and images, and offers other
# files for download only). The workflow page is report/workflow.rst (Snakefile).
import shlex


localrules:
    report_tables,


def report_tables(wildcards=None):
    """{page name: CSV table} of every table `rule all` builds."""
    return {
        "table1": paths.TABLE1,
        "table2": paths.TABLE2,
        "table3": paths.TABLE3,
        **{
            paths.fill(paths.EXTRA_GRID, table=name): paths.fill(
                paths.EXTRA_TABLE, table=name
            )
            for name in EXTRA_TABLES
        },
        **({"translation_quality": paths.TRANSLATION_QUALITY} if TRANSLATED else {}),
        "paper_comparison": paths.PAPER_COMPARISON,
    }


rule report_tables:
    input:
        unpack(report_tables),
    output:
        report(
            directory(paths.REPORT_TABLES),
            patterns=["{name}.html"],
            caption="../report/tables.rst",
            category="Tables",
        ),
    log:
        paths.REPORT_TABLES_LOG,
    conda:
        ENV
    params:
        tables=lambda wc, input: " ".join(
            shlex.quote(f"--table={name}={path}") for name, path in input.items()
        ),
    shell:
        "python scripts/report_tables.py {params.tables} --output {output:q} > {log:q} 2>&1"
