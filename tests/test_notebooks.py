"One test case per notebook, run with nbdev's own runner (so `#| slow`/`#| cuda` cells are skipped unless NBDEV_FLAGS asks)."
import os
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev import test as nbt   # not `from nbdev.test import test_nb`: pytest would collect it

cfg = get_config()
NBS = sorted(p for p in Path(cfg.nbs_path).rglob('*.ipynb')
             if not any(part.startswith(('_', '.')) for part in p.relative_to(cfg.nbs_path).parts)
             and '.ipynb_checkpoints' not in p.parts)

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb):
    ok, secs = nbt.test_nb(nb, skip_flags=cfg.tst_flags.split(), force_flags=os.environ.get('NBDEV_FLAGS', '').split(),
                           basepath=cfg.config_path)
    assert ok, f'{nb.name} failed (its traceback is printed above)'

def test_notebooks_found():
    assert len(NBS) >= 3, NBS
