"The package is exported from the notebooks, the notebooks are clean, and the README is generated from index.ipynb."
import subprocess, sys
from pathlib import Path

def _snapshot(*dirs):
    return {p: p.read_bytes() for d in dirs for p in sorted(Path(d).rglob('*')) if p.is_file() and '__pycache__' not in p.parts}

def _run_and_compare(cmd, *dirs):
    before = _snapshot(*dirs)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    after = _snapshot(*dirs)
    changed = sorted(str(p) for p in set(before) | set(after) if before.get(p) != after.get(p))
    return changed

def test_notebooks_clean():
    changed = _run_and_compare(['nbdev_clean'], 'nbs')
    assert not changed, f'nbdev_clean changed {changed}: run nbdev_clean and commit'

def test_package_exported():
    changed = _run_and_compare(['nbdev_export'], 'avsnb')
    assert not changed, f'nbdev_export changed {changed}: the package is out of sync with the notebooks; run nbdev_export and commit'

def test_readme_generated():
    r = subprocess.run([sys.executable, 'tools/docs.py', 'check'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
