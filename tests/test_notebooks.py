"""One test case per notebook, each run by nbdev's own runner in a fresh Python process (so `#| slow`/`#| cuda` cells
are skipped unless NBDEV_FLAGS asks). A fresh process per notebook means a notebook's tests exercise the package as
imported there, never classes that an earlier notebook's cells defined and registered under the same name."""
import os, subprocess, sys, tempfile
from pathlib import Path
import pytest
from nbdev.config import get_config

cfg = get_config()
NBS = sorted(p for p in Path(cfg.nbs_path).rglob('*.ipynb')
             if not any(part.startswith(('_', '.')) for part in p.relative_to(cfg.nbs_path).parts)
             and '.ipynb_checkpoints' not in p.parts)

RUN = """
import sys
from nbdev import test as nbt
from pathlib import Path
ok, secs = nbt.test_nb(Path(sys.argv[1]), skip_flags=sys.argv[2].split(), force_flags=sys.argv[3].split(), basepath=sys.argv[4])
sys.exit(0 if ok else 1)
"""

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_notebook(nb):
    with tempfile.TemporaryDirectory(prefix=f'avsnb-nbtest-{nb.stem}-') as scratch:   # the notebook's temporary files go with it
        r = subprocess.run([sys.executable, '-c', RUN, str(nb), cfg.tst_flags, os.environ.get('NBDEV_FLAGS', ''), str(cfg.config_path)],
                           capture_output=True, text=True, env={**os.environ, 'TMPDIR': scratch})
    if r.returncode: print(r.stdout[-20000:], r.stderr[-20000:], sep='\n')
    assert r.returncode == 0, f'{nb.name} failed (its traceback is printed above)'

def test_notebooks_found():
    assert len(NBS) >= 3, NBS
