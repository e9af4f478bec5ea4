"""The layout registry: every layout module's layouts are registered once, each reads its
release files with a definition of one of the release modules, and no release definition
is left without a layout."""

from types import ModuleType

from xstilts.data.layouts import LAYOUTS
from xstilts.data.layouts.choice import CHOICE_LAYOUTS
from xstilts.data.layouts.pairs import PAIR_LAYOUTS
from xstilts.data.layouts.qa import QA_LAYOUTS
from xstilts.data.layouts.retrieval import RETRIEVAL_LAYOUTS
from xstilts.data.layouts.tagging import TAGGING_LAYOUTS
from xstilts.data.layouts.text import TEXT_LAYOUTS
from xstilts.data.release import choice, pairs, qa, retrieval, tagging, text

FAMILIES = [PAIR_LAYOUTS, QA_LAYOUTS, RETRIEVAL_LAYOUTS, CHOICE_LAYOUTS, TAGGING_LAYOUTS,
            TEXT_LAYOUTS]
RELEASE_MODULES = [choice, pairs, qa, retrieval, tagging, text]


def definitions(module: ModuleType) -> dict[int, str]:
    """{id: name} of the module-level objects a layout could point at."""
    return {id(value): name for name, value in vars(module).items()
            if type(value).__module__.startswith("xstilts.data.release")}


def test_every_layout_family_is_registered_once():
    names = [name for family in FAMILIES for name in family]
    assert len(names) == len(set(names))  # no layout name in two families
    assert set(names) == set(LAYOUTS)
    assert all(LAYOUTS[name] is family[name] for family in FAMILIES for name in family)


def test_layouts_read_release_files_with_the_release_modules_definitions():
    known = {key: module.__name__ for module in RELEASE_MODULES
             for key in definitions(module)}
    readers = {name: getattr(layout, "release", None) for name, layout in LAYOUTS.items()}
    unknown = [name for name, release in readers.items()
               if release is not None and id(release) not in known]
    assert not unknown, f"layouts whose release definition is no release module's: {unknown}"
    used = {known[id(release)] for release in readers.values() if release is not None}
    assert used == {module.__name__ for module in RELEASE_MODULES}
