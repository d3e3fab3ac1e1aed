"""What the Dagster process imports once (the definitions and what they import, GX when the
first suite runs) is frozen out of the cyclic garbage collector's full collections, so that a
run's collections do not walk it again and again."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
frozen = [gc.get_freeze_count()]
import dagster_project.definitions as definitions
frozen.append(gc.get_freeze_count())
tracked = {id(o) for o in gc.get_objects()}
from dagster_project.lib import quality
gx = quality._import_gx()
frozen.append(gc.get_freeze_count())
later = {id(o) for o in gc.get_objects()}
print(*frozen)
print(id(definitions.defs) in tracked, id(gx.__dict__) in later)
"""


def test_definitions_and_gx_are_frozen_out_of_collections():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    before, after_definitions, after_gx = map(int, out[0].split())
    assert before == 0
    # tens of thousands of objects: Dagster, dbt, pandas and the definitions themselves
    assert after_definitions > 10_000
    assert after_gx > after_definitions
    # a frozen object is in no generation the collector walks
    assert out[1] == "False False"
