"""`audit --deep`: the checkpoint a prediction record names made those predictions. A
seeded sample of every language is predicted again on this machine and compared."""

from __future__ import annotations

import contextlib
from pathlib import Path

from xstilts.audit.verify import OK, WRONG, Cell, Link, data_root_of
from xstilts.spec import paths
from xstilts.store.provenance import read_json

AGREEMENT = 0.99  # below: not this checkpoint's predictions (bf16 vs fp32 stays above)


def deep_check(root: Path, cell: Cell, count: int, seed: int = 0) -> Link | None:
    """Predict `count` seeded examples per language again from the checkpoint the cell's
    prediction record names (xstilts.evaluate.repredict), add the link to the cell: WRONG
    when a language agrees below AGREEMENT; None for a format evaluated straight from a
    checkpoint (retrieval), which has no trained predictions to check."""
    from xstilts.evaluate.repredict import agreement
    from xstilts.formats import Kind, kind_of
    from xstilts.spec import TaskSpec

    root = Path(root)
    score_path = paths.fill(paths.SCORES, intermediate=cell.intermediate, target=cell.target,
                            seed=cell.seed)
    record = read_json(root / score_path)["provenance"]
    spec = TaskSpec.from_dict(record["params"])
    if kind_of(spec.format) is not Kind.TRAINED:
        return None
    predictions_path = record["inputs"]["predictions"]["path"]
    predictions = read_json(root / predictions_path)
    checkpoint = predictions["provenance"]["inputs"]["checkpoint"]["path"]
    with contextlib.chdir(root):
        found = agreement(spec, Path(checkpoint), Path(data_root_of(record)),
                          predictions["predictions"], count, seed)
    shares = {language: agreeing / compared if compared else 1.0
              for language, (agreeing, compared) in found.items()}
    detail = "agreement " + ", ".join(
        f"{language} {100 * share:.0f}% ({found[language][0]}/{found[language][1]})"
        for language, share in shares.items())
    low = [language for language, share in shares.items() if share < AGREEMENT]
    link = Link("deep", checkpoint, OK, detail)
    if low:
        link = Link("deep", checkpoint, WRONG, f"{detail}: below {100 * AGREEMENT:.0f}% in "
                                               f"{', '.join(low)}, so {predictions_path} was "
                                               "not predicted by this checkpoint")
    cell.links.append(link)
    return link
