"Package-level checks: every exported module imports on its own, and the console script runs in a fresh process."
import importlib, pkgutil, subprocess, sys
import pytest
import avsnb

MODULES = sorted(m.name for m in pkgutil.iter_modules(avsnb.__path__, 'avsnb.'))

@pytest.mark.parametrize('mod', MODULES)
def test_module_imports_alone(mod):
    # a fresh interpreter, so a name defined only in a hidden notebook cell cannot leak in from another import
    r = subprocess.run([sys.executable, '-c', f'import {mod}'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]

def test_all_names_exist():
    for mod in MODULES:
        m = importlib.import_module(mod)
        for name in getattr(m, '__all__', []): assert hasattr(m, name), f'{mod}.__all__ names {name}, which is not defined'

def test_cli_help():
    r = subprocess.run(['avsnb', '--help'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for cmd in ('demo', 'recipes', 'check-data', 'train', 'eval', 'predict', 'build-vpo'): assert cmd in r.stdout

def test_no_undefined_or_unused_names():
    "Static check of the exported package (ruff F821 undefined name, F401 unused import, F811 redefinition): a name used only "
    "in a hidden notebook cell, or an import nothing uses, fails here."
    import shutil
    ruff = shutil.which('ruff') or str(__import__('pathlib').Path(sys.executable).with_name('ruff'))
    r = subprocess.run([ruff, 'check', '--select', 'F821,F401,F811', '--exclude', 'avsnb/_modidx.py', '--output-format', 'concise', 'avsnb'],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
