"""Every published table built in memory from its inputs, one builder per kind of record.

A builder takes the `params` and `inputs` ({role: [paths]}) its job records and returns
{output role: text}. The entry points write what it returns and record it (`publish`); the
audit (xstilts.audit.verify) calls the same builder with the recorded params and inputs and
compares, so a table cell edited together with its record's hash is still found. Figures
have no builder here: their record holds their hashes and those of the tables they were
drawn from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xstilts.report.comparison import compare, load_reference
from xstilts.report.intervals import (
    Settings,
    interval_table,
    jointly_resampled,
    summaries,
    with_intervals,
)
from xstilts.report.table1 import load_manifests, table1
from xstilts.report.table2 import (
    csv_text,
    long_form,
    over_seeds,
    read_intervals,
    read_runs,
    read_table2,
    records_table,
    table2,
)
from xstilts.report.table3 import table3
from xstilts.store import atomic, provenance


def grid_tables(params: dict, inputs: dict[str, list]) -> dict[str, str]:
    """Table 2 or an extra table: the table, its long form with intervals, the intervals
    of every cell and language, and the record ids."""
    runs = read_runs(inputs["scores"])
    layout = params["layout"]
    cells = over_seeds(runs, layout["seeds"])
    header, body = table2(cells, layout["rows"], layout["targets"], layout["categories"],
                          layout.get("unavailable"), layout.get("subsampled", ""))
    settings = Settings(**params["bootstrap"])
    numbers = summaries(runs, layout["seeds"], layout["categories"], settings)
    return {
        "table": csv_text(header, body),
        "long": csv_text(*with_intervals(*long_form(runs), numbers), digits=4),
        "ci": csv_text(*interval_table(numbers, layout["rows"], layout["targets"],
                                       layout["categories"], jointly_resampled(runs)),
                       digits=4),
        "records": csv_text(header, records_table(cells, header, layout["rows"],
                                                  layout["categories"])),
    }


def table3_text(params: dict, inputs: dict[str, list]) -> dict[str, str]:
    numbers = load_reference(inputs["reference"][0])["numbers"]
    return {"table": csv_text(*table3(read_runs(inputs["scores"]), params["layout"], numbers))}


def table1_text(params: dict, inputs: dict[str, list]) -> dict[str, str]:
    """Table 1 from the manifests (inputs `manifests`) of the prepared datasets."""
    manifests = load_manifests([Path(path).parent for path in inputs["manifests"]])
    return {"table": csv_text(*table1(params["tasks"], manifests, params["unavailable"]))}


def comparison_text(params: dict, inputs: dict[str, list]) -> dict[str, str]:
    return {"table": csv_text(*compare(load_reference(inputs["reference"][0]),
                                       read_table2(inputs["table"][0]),
                                       read_intervals(inputs["intervals"][0])))}


def translation_text(params: dict, inputs: dict[str, list]) -> dict[str, str]:
    """chrF and BLEU of the translated datasets (params `datasets`: {name: config entry},
    `data`: the prepared datasets' root)."""
    from xstilts.report.translation import report_table
    from xstilts.spec import DatasetSpec

    datasets = {name: DatasetSpec.from_dict(entry, name)
                for name, entry in params["datasets"].items()}
    return {"table": csv_text(*report_table(Path(params["data"]), datasets))}


BUILDERS: dict[str, Callable[[dict, dict[str, list]], dict[str, str]]] = {
    "table": grid_tables,
    "table3": table3_text,
    "table1": table1_text,
    "paper_comparison": comparison_text,
    "translation_quality": translation_text,
}


def publish(kind: str, *, params: dict, inputs: dict[str, list], outputs: dict[str, str],
            record: str) -> None:
    """Build an output of `kind`, write each role's text to its path in `outputs`, then
    its record (xstilts.store.provenance.write_output_record) to `record`."""
    started = provenance.now()
    texts = BUILDERS[kind](params, inputs)
    for role, path in outputs.items():
        atomic.write_text(path, texts[role])
    provenance.write_output_record(
        record, kind, params=params, inputs=inputs,
        outputs={role: [path] for role, path in outputs.items()}, started=started)
