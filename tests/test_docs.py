"""The documentation site builds offline from the notebooks, with a page per notebook and API docs, and works offline:
every link goes to a page (and anchor) of the built site, no output shows a local absolute path, no page asks another
host for anything (static check of every src/href and script, then headless Chromium loading pages from disk with no
host resolving), and search works from disk (file://) and over http."""
import functools, http.server, json, os, re, subprocess, sys, threading, time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'/'browser'))
from cdp import Chromium, find_chromium  # noqa: E402

# Any script/style host the pages could fetch at view time (the vendored widget renderer replaces unpkg.com).
CDN = re.compile(r'https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|[\w.-]*\bcdn\b[\w.-]*)/', re.I)
STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
RENDERER = 'assets/vendor/html-manager/embed.js'
ATTR = re.compile(r'<(\w+)\b([^>]*?)\s(href|src)="([^"]*)"')
IDS = re.compile(r'\b(?:id|name)="([^"]+)"')
# A local absolute path: a POSIX path under a machine's own folders, or a Windows drive path.
LOCAL_PATH = re.compile(r'(?<![\w.:/~-])(?:/(?:work|home|root|tmp|Users|private|mnt|srv|var/folders|opt/[\w.-]+/home)/[\w.-]+|[A-Z]:\\\\?Users)')
IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')
SHOTS = ROOT/'reports'/'browser'
# 404.html is for a web server at the site's root (it links with absolute /paths by design); no page links to it.
NOT_A_PAGE = {'404.html'}


@functools.lru_cache(None)
def _tool():
    "tools/docs.py as a module."
    import importlib.util
    spec = importlib.util.spec_from_file_location('avsnb_docs_tool', ROOT/'tools'/'docs.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m


def _has_state(html):
    return any((json.loads(m.group(1)) or {}).get('state') for m in STATE.finditer(html))


@pytest.fixture(scope='module')
def site():
    r = subprocess.run([sys.executable, 'tools/docs.py', 'build'], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    print(r.stdout[-500:])
    return ROOT/get_config().doc_path


def _pages(site):
    return [p for p in sorted(site.rglob('*.html')) if p.relative_to(site).as_posix() not in NOT_A_PAGE]


def _no_scripts(html):
    "The page without widget state and inline scripts (their strings are not links)."
    return re.sub(r'<script\b(?![^>]*\bsrc=)[^>]*>.*?</script>', '', html, flags=re.S)


def test_docs_build(site):
    cfg = get_config()
    assert (site/'index.html').exists()
    nbs = sorted((ROOT/cfg.nbs_path).glob('[0-9]*.ipynb'))
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
    nav = yaml.safe_load((ROOT/'_proc'/'mkdocs.gen.yml').read_text())['nav']
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


def test_links_resolve(site):
    "Every link and resource of every page is a file of the built site, every #anchor an id on its page."
    cfg = get_config()
    own = urlparse(cfg.doc_host).hostname
    ids, bad, n, xref = {}, [], 0, 0
    for page in _pages(site):
        rel = page.relative_to(site).as_posix()
        for tag, attrs, a, url in ATTR.findall(_no_scripts(page.read_text(encoding='utf-8'))):
            n += 1
            u = urlparse(url)
            if u.scheme in ('data', 'mailto', 'javascript', 'blob') or not url: continue
            if u.scheme in ('http', 'https'):
                if u.hostname == own: bad.append(f'{rel}: {url} (the published site, not this one)')
                continue
            if u.scheme or url.startswith('/'): bad.append(f'{rel}: {url} (not relative)'); continue
            target = (page.parent/unquote(u.path)).resolve() if u.path else page
            if not target.is_file(): bad.append(f'{rel}: {url} (no such file)'); continue
            if site.resolve() not in target.parents: bad.append(f'{rel}: {url} (outside the site)'); continue
            if target.suffix == '.ipynb' and target.with_suffix('.html').exists() and tag == 'a':
                bad.append(f'{rel}: {url} (the raw notebook, not its page)')
            if u.fragment and target.suffix == '.html':
                if target not in ids: ids[target] = set(IDS.findall(target.read_text(encoding='utf-8')))
                if u.fragment not in ids[target]: bad.append(f'{rel}: {url} (no #{u.fragment} there)')
            if target.suffix == '.html' and target != page.resolve(): xref += 1
    assert not bad, f'{len(bad)} broken links of {n}:\n' + '\n'.join(bad[:40])
    assert xref > 300, xref            # the API cross-references are there (and were checked above)
    print(f'{n} links and resources checked on {len(_pages(site))} pages, {xref} to other pages of the site')


def test_no_local_paths(site):
    "No page shows an absolute path of the machine that built it (outputs are scrubbed, notebooks print relative paths)."
    found = {}
    for page in _pages(site):
        html = page.read_text(encoding='utf-8')
        hits = set(LOCAL_PATH.findall(html)) | ({str(ROOT)} if str(ROOT) in html else set())
        if hits: found[page.relative_to(site).as_posix()] = sorted(hits)[:5]
    assert not found, found
    assert _tool().scrub_paths(f'{ROOT}/data/x.wav and /tmp/tmpab_c9/syn/ss') == './data/x.wav and <tmp>/syn/ss'


def test_nothing_from_other_hosts_static(site):
    "No page loads anything from another host: every src and every stylesheet/icon/preload href is site-local."
    bad = []
    for page in sorted(site.rglob('*.html')):
        html = page.read_text(encoding='utf-8'); rel = page.relative_to(site).as_posix()
        for tag, attrs, a, url in ATTR.findall(re.sub(STATE, '', html)):
            loads = a == 'src' or (tag == 'link' and re.search(r'rel="[^"]*(?:stylesheet|icon|preload|manifest)', attrs))
            if loads and urlparse(url).scheme in ('http', 'https', 'ws', 'wss', '') and url.startswith(('http', 'ws', '//')):
                bad.append(f'{rel}: <{tag} {a}="{url}">')
        if 'data-md-component="source"' in html: bad.append(f'{rel}: repository widget (asks api.github.com for stars)')
        if 'api.github.com' in html: bad.append(f'{rel}: api.github.com')
    assert not bad, '\n'.join(bad[:30])


def _items(nb):
    "A notebook as a sequence of ('h', level, text) and ('c',) (something a reader sees)."
    out = []
    for c in nb['cells']:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'markdown':
            for line in src.splitlines():
                if m := re.match(r'(#{1,6})\s+(.*)', line): out.append(('h', len(m.group(1)), m.group(2)))
                elif line.strip(): out.append(('c',))
        elif c['cell_type'] == 'code':
            shown = src.strip() and 'remove_input' not in c.get('metadata', {}).get('tags', [])
            if shown or c.get('outputs'): out.append(('c',))
    return out


def test_no_empty_sections(site):
    "Every heading has something under it before the next heading of its level or above."
    empty = []
    for nb in sorted((ROOT/'_mkdocs').glob('*.ipynb')):
        items = _items(json.loads(nb.read_text(encoding='utf-8')))
        for i, it in enumerate(items):
            if it[0] != 'h': continue
            nxt = items[i + 1] if i + 1 < len(items) else None
            if nxt is None or (nxt[0] == 'h' and nxt[1] <= it[1]): empty.append(f'{nb.stem}: {"#" * it[1]} {it[2]}')
    assert not empty, empty


def test_tutorials_hide_tests(site):
    "Tutorial pages (10 and up) show readers no test-only cells; reference pages keep theirs as examples."
    strip_tests = _tool().strip_tests
    assert strip_tests('test_eq(a, 1)\nassert b') is None
    assert strip_tests('x = f()\ntest_eq(x, 1)\nshow(x)') == 'x = f()\nshow(x)'
    assert strip_tests('x = f(); test_eq(x, 1)') == 'x = f(); test_eq(x, 1)'          # same line: left whole
    assert strip_tests('for k in ks:\n    test_eq(k, 1)') is None
    assert strip_tests('for k in ks:\n    x = f(k)\n    assert x') is None                  # a loop that computes what it checks
    assert strip_tests('for k in ks:\n    print(k)\n    test_eq(k, 1)').startswith('for k')   # ... but not one that shows
    assert strip_tests('%time x = 1') == '%time x = 1'
    for nb in sorted((ROOT/'_mkdocs').glob('1[0-9]_*.ipynb')):
        for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
            assert not re.search(r'^\s*(?:test_eq|test_close|test_fail|test_ne)\(|^\s*assert ', src, re.M) or c.get('outputs'), \
                f'{nb.name} shows a test cell: {src[:200]}'
    core = (site/'00_core.html').read_text(encoding='utf-8')
    assert 'test_eq' in core                     # reference pages still show their examples-as-tests


def test_search_index_clean(site):
    idx = json.loads((site/'search'/'search_index.json').read_text(encoding='utf-8'))
    texts = [d['text'] for d in idx['docs']]
    assert len(texts) > 300
    assert not [t for t in texts if 'Copied!' in t]
    assert not [t for t in texts if re.search(r'(?m)^\s*(?:test_eq|test_close|test_fail)\(', t)]
    clean = _tool().clean_search_text
    got = clean('intro Copied! <pre>x = f(1)\ntest_eq(x, 1)</pre> x = f(1) test_eq(x, 1) <p>after</p> <pre>assert a</pre> end')
    assert got.split() == ['intro', '<pre>x', '=', 'f(1)</pre>', '<p>after</p>', 'end'], got   # no copy text, no tests
    js = (site/'search'/'search_index.js').read_text(encoding='utf-8')
    assert js.startswith('window.__avsnbSearchIndex = ') and json.loads(js.split('=', 1)[1].rstrip().rstrip(';')) == idx


# ---- in a browser ----------------------------------------------------------------------------------------------------
@pytest.fixture
def chromium():
    exe = find_chromium()
    if exe: return exe
    msg = 'chromium not found: run `bash tools/browser_setup.sh` (apt-get install chromium)'
    if IN_CI: pytest.fail(msg)
    pytest.skip(msg)


OFFLINE = ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']
_SEARCH_BOX = '(()=>{const r=document.querySelector("input[data-md-component=search-query]").getBoundingClientRect(); return [r.x,r.y,r.width,r.height]})()'
_RESULTS = '''(()=>{const l=document.querySelectorAll(".md-search-result__item a");
  return l.length ? Array.from(l).slice(0, 5).map(a => a.getAttribute("href").replace(/^(\\.\\/)+/, "")) : null})()'''


_READY = '!/Initializing/i.test(document.querySelector(".md-search-result__meta").textContent)'


def _search(page, query):
    """Type `query` into the search box once search is ready (as a reader does) and return the first result links.
    Material sends a query to its worker on the box's `keyup` (or when the worker becomes ready), not on `input`:
    text inserted without a key release is never searched once the index is built, so the typing ends with one."""
    page.wait_for('document.readyState === "complete"', 30)
    x, y, w, h = page.wait_for(f'(() => {{ const b = {_SEARCH_BOX}; return b[2] > 0 ? b : null }})()', 20, what='the search box')
    page.click(x + w / 2, y + h / 2)
    page.wait_for(_READY, 60, what='the search index')      # under 1 s on a quiet machine (the 828 KB index included)
    page.send('Input.insertText', text=query)
    page.send('Input.dispatchKeyEvent', type='keyUp', key=query[-1], code=f'Key{query[-1].upper()}' if query[-1].isalpha() else '')
    return page.wait_for(_RESULTS, 60, what=f'search results for {query!r}')


def test_pages_offline_in_browser(site, chromium):
    "Pages opened from disk load nothing but files of the site (no host resolves); search answers from disk too."
    pages = ['index.html', '00_core.html', '10_quickstart.html', '15_training_dashboard.html', '07_viewer.html']
    with Chromium(chromium, width=1280, height=1000, timeout=30, extra_flags=OFFLINE) as page:
        for p in pages:
            page.goto((site/p).resolve().as_uri())
            page.wait_for('document.readyState === "complete"', 30); page.pump(1.0)
            page.screenshot(SHOTS/f'docs_{Path(p).stem}.png', full_page=False)
        page.goto((site/'index.html').resolve().as_uri())
        res = _search(page, 'make_sample')
        page.pump(0.3); page.screenshot(SHOTS/'docs_search_file.png', full_page=False)
    assert res[0] == '00_core.html#make_sample', res
    outside = sorted({u for u in page.requests if urlparse(u).scheme not in ('file', 'data', 'blob')})
    assert not outside, outside
    assert not page.exceptions, page.exceptions[:5]


def test_search_over_http(site, chromium):
    "Served over http, Material's own search answers, and an API name finds its own entry first."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(site))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with Chromium(chromium, width=1280, height=1000, timeout=60, extra_flags=OFFLINE) as page:
            page.goto(f'http://127.0.0.1:{srv.server_address[1]}/index.html')
            t = time.monotonic(); res = _search(page, 'make_sample'); t = time.monotonic() - t
            page.pump(0.3); page.screenshot(SHOTS/'docs_search_http.png', full_page=False)
            snippet = page.js('document.querySelector(".md-search-result__list").innerText')
    finally:
        srv.shutdown(); srv.server_close()
    res = [re.sub(r'^https?://[^/]+/', '', u) for u in res]
    assert res[0] == '00_core.html' and '00_core.html#make_sample' in res[:3], res   # Material: the page, then its sections
    assert 'Copied!' not in snippet and 'test_eq' not in snippet, snippet[:500]
    outside = sorted({u for u in page.requests if urlparse(u).hostname not in ('127.0.0.1', None) and urlparse(u).scheme in ('http', 'https')})
    assert not outside, outside
    assert not page.exceptions, page.exceptions[:5]
    print(f'http search: results for make_sample {t:.1f} s from navigation (page load and index build included)')
