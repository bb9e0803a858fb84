"The documentation site builds offline from the notebooks, with a page per notebook and API docs, and loads nothing from a CDN."
import json, re, subprocess, sys
from pathlib import Path
import yaml
from nbdev.config import get_config

# Any script/style host the pages could fetch at view time (the vendored widget renderer replaces unpkg.com).
CDN = re.compile(r'https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|[\w.-]*\bcdn\b[\w.-]*)/', re.I)
STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
RENDERER = 'assets/vendor/html-manager/embed.js'

def _has_state(html):
    return any((json.loads(m.group(1)) or {}).get('state') for m in STATE.finditer(html))

def test_docs_build():
    r = subprocess.run([sys.executable, 'tools/docs.py', 'build'], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    cfg = get_config(); site = Path(cfg.doc_path)
    assert (site/'index.html').exists()
    nbs = sorted(Path(cfg.nbs_path).glob('[0-9]*.ipynb'))
    for nb in nbs:
        page = site/(nb.stem + '.html')
        assert page.exists(), f'no docs page for {nb.name}'
    core = (site/'00_core.html').read_text()
    assert 'make_sample' in core and 'check_sample' in core          # API docs rendered by show_doc
    assert re.search(r'<img[^>]+src="data:image/png', (site/'01_audio.html').read_text())   # plots embedded
    # No CDN: pages with saved widget state load the vendored html-manager, the others no renderer at all.
    assert (site/RENDERER).stat().st_size > 1_000_000 and list((site/RENDERER).parent.glob('*.woff2'))
    for page in sorted(site.rglob('*.html')):
        html = page.read_text(encoding='utf-8')
        rel = page.relative_to(site)
        assert not CDN.search(html), f'{rel} references {sorted(set(CDN.findall(html)))}'
        src = '../' * (len(rel.parts) - 1) + RENDERER
        if _has_state(html): assert f"'{src}'" in html, f'{rel} has widget state but does not load {src}'
        else: assert 'addWidgetsRenderer' not in html and RENDERER not in html, f'{rel} loads the widget renderer for nothing'
    # Navigation: Home, then Tutorials (notebooks numbered 10 and up), then Reference (00-09), titles as labels.
    nav = yaml.safe_load((Path('_proc')/'mkdocs.gen.yml').read_text())['nav']
    assert nav[0] == {'Home': 'index.ipynb'}, nav[0]
    sections = {k: [list(d.values())[0] for d in v] for item in nav[1:] for k, v in item.items()}
    assert set(sections) <= {'Tutorials', 'Reference'} and list(sections) == sorted(sections, reverse=True), list(sections)
    num = lambda p: int(re.match(r'\d+', Path(p).stem).group())
    assert all(num(p) >= 10 for p in sections.get('Tutorials', [])), sections.get('Tutorials')
    assert all(num(p) < 10 for p in sections.get('Reference', []) if re.match(r'\d', Path(p).stem)), sections['Reference']
    listed = set(sum(sections.values(), []))
    assert {nb.name for nb in nbs} <= listed, {nb.name for nb in nbs} - listed
    labels = {v: k for item in nav[1:] for d in list(item.values())[0] for k, v in d.items()}
    assert labels['00_core.ipynb'].startswith('Core'), labels['00_core.ipynb']   # the notebook's title is the label
