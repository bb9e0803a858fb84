"The documentation site builds offline from the notebooks, with a page per notebook and API docs."
import re, subprocess, sys
from pathlib import Path
from nbdev.config import get_config

def test_docs_build():
    r = subprocess.run([sys.executable, 'tools/docs.py', 'build'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    cfg = get_config(); site = Path(cfg.doc_path)
    assert (site/'index.html').exists()
    for nb in Path(cfg.nbs_path).glob('[0-9]*.ipynb'):
        page = site/(nb.stem + '.html')
        assert page.exists(), f'no docs page for {nb.name}'
    core = (site/'00_core.html').read_text()
    assert 'make_sample' in core and 'check_sample' in core          # API docs rendered by show_doc
    assert re.search(r'<img[^>]+src="data:image/png', (site/'01_audio.html').read_text())   # plots embedded
