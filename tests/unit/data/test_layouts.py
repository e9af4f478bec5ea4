"""The layout registry: every layout module's layouts are registered once, each reads its
release files with a definition of one of the release modules, and no release definition
is left without a layout."""

from types import ModuleType

from xstilts.data.layouts_choice import CHOICE_LAYOUTS
from xstilts.data.layouts_qa import QA_SCHEMAS
from xstilts.data.layouts_retrieval import RETRIEVAL_LAYOUTS
from xstilts.data.layouts_tagging import TAGGING_LAYOUTS
from xstilts.data.layouts_text import TEXT_LAYOUTS
from xstilts.data.original import choice, pairs, qa, retrieval, tagging, text
from xstilts.data.schemas import PAIR_SCHEMAS, SCHEMAS

FAMILIES = [PAIR_SCHEMAS, QA_SCHEMAS, RETRIEVAL_LAYOUTS, CHOICE_LAYOUTS, TAGGING_LAYOUTS,
            TEXT_LAYOUTS]
RELEASE_MODULES = [choice, pairs, qa, retrieval, tagging, text]


def definitions(module: ModuleType) -> dict[int, str]:
    """{id: name} of the module-level objects a layout could point at."""
    return {id(value): name for name, value in vars(module).items()
            if type(value).__module__.startswith("xstilts.data.original")}


def test_every_layout_family_is_registered_once():
    names = [name for family in FAMILIES for name in family]
    assert len(names) == len(set(names))  # no layout name in two families
    assert set(names) == set(SCHEMAS)
    assert all(SCHEMAS[name] is family[name] for family in FAMILIES for name in family)


def test_layouts_read_release_files_with_the_release_modules_definitions():
    known = {key: module.__name__ for module in RELEASE_MODULES
             for key in definitions(module)}
    readers = {name: getattr(layout, "original", None) for name, layout in SCHEMAS.items()}
    unknown = [name for name, original in readers.items()
               if original is not None and id(original) not in known]
    assert not unknown, f"layouts whose release definition is no release module's: {unknown}"
    used = {known[id(original)] for original in readers.values() if original is not None}
    assert used == {module.__name__ for module in RELEASE_MODULES}
