"""Offline README and documentation site for avsnb (Quarto cannot be installed offline).

    python tools/docs.py readme   # nbs/index.ipynb -> README.md, through nbdev's own doc processors
    python tools/docs.py build    # nbs/*.ipynb -> _docs/ (nbdev processors, then MkDocs Material + mkdocs-jupyter)
    python tools/docs.py check    # exit 1 if README.md is not what `readme` would write

`build` runs nbdev's `proc_nbs` (hide/show_doc/frontmatter processing, exactly as for Quarto), turns the YAML
frontmatter back into a title, drops Quarto-only link attributes, writes the result to `_mkdocs/`, generates the
navigation from the notebooks' titles (so a new notebook needs no config edit: Home, then Tutorials = notebooks
numbered 10 and up, then Reference = 00-09 and unnumbered ones) and runs `mkdocs build`. It then makes the pages work
offline (`offline_site`): a page holding saved widget state loads the vendored @jupyter-widgets/html-manager
(docs_assets/vendor/html-manager, see tools/vendor_widgets.sh) instead of unpkg.com, other pages drop the widget loader,
and the Mermaid loader (a cdnjs import) is dropped from pages without a diagram. Then `finish_site`: nbdev's API
cross-references (absolute URLs of a Quarto site, from settings.ini doc_host/doc_baseurl) and links to notebooks become
links to the built pages, show_doc's [source] links point at highlighted copies of the modules (source/avsnb/*.py.html),
the table of contents points at the headings' real anchors, and the search index loses the copy button's text, the
duplicate of each code block and test calls, and is also written as search/search_index.js for docs_assets/offline-search.js
(search from disk, where the browser refuses Material's worker).

Reader pages (tutorials, numbered 10 and up, and the home page) hide cells that only test (`assert`, `test_eq`, …) and
test lines of mixed cells; reference pages keep theirs as examples. Saved outputs lose local absolute paths (the
repository root becomes '.', temporary folders '<tmp>').
"""
import ast, json, os, re, shutil, subprocess, sys, warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)
from execnb.nbio import read_nb, write_nb  # noqa: E402
from nbdev.config import get_config  # noqa: E402

_QUARTO_ATTR = re.compile(r'\)\{[^}\n]*\}')          # "[source](url){target=...}" -> "[source](url)"
_FENCE = '```'


def _frontmatter(src: str) -> dict:
    m = re.match(r'^---\n(.*?)\n---', src, re.S)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}


def _title_cell(fm: dict) -> str:
    return f"# {fm.get('title', '')}\n\n" + (f"> {fm['description']}\n" if fm.get('description') else '')


TEST_CALLS = {'test_eq', 'test_ne', 'test_close', 'test_fail', 'test_is', 'test_eq_type', 'test_shuffled', 'test_stdout',
              'test_warns', 'test_sig', 'test', 'test_fig_exists'}


def _is_test(stmt) -> bool:
    "An `assert`, or a call of a fastcore.test function (possibly inside a `with`/`for` that holds nothing else)."
    if isinstance(stmt, ast.Assert): return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        return isinstance(f, ast.Name) and f.id in TEST_CALLS
    if isinstance(stmt, (ast.For, ast.While, ast.With, ast.If)):    # a block that only computes what it checks
        inner = stmt.body + getattr(stmt, 'orelse', [])
        return any(_is_test(t) for t in inner) and all(_is_test(t) or isinstance(t, (ast.Assign, ast.AugAssign, ast.AnnAssign)) for t in inner)
    return False


def strip_tests(
    src:str, # a code cell's source
) -> str|None:
    """The cell as a reader should see it in a tutorial: None when every statement is a test (`assert`, `test_eq`, …),
    else the source without its top-level test statements. Sources that do not parse, or use IPython magics, are kept."""
    if not src.strip() or re.search(r'^\s*[%!]', src, re.M): return src
    try: body = ast.parse(src).body
    except SyntaxError: return src
    if not body: return src
    tests = [t for t in body if _is_test(t)]
    if not tests: return src
    if len(tests) == len(body): return None
    lines = src.splitlines(keepends=True)
    drop = set()
    for t in tests: drop.update(range(t.lineno - 1, t.end_lineno))
    if any(t.lineno == o.end_lineno or t.end_lineno == o.lineno for t in tests for o in body if o not in tests): return src  # `a; test_eq(a, 1)`
    return ''.join(l for i, l in enumerate(lines) if i not in drop).rstrip('\n')


def is_reader_page(
    stem:str, # a notebook's file stem
) -> bool:
    "Tutorials (notebooks numbered 10 and up) and the home page show readers no test code; reference notebooks keep theirs as examples."
    m = re.match(r'(\d+)', stem)
    return stem == 'index' or bool(m and int(m.group(1)) >= 10)


def _hide_tests(nb):
    "Drop test-only cells (and test lines of mixed cells) from a reader page; cells with output are kept whole."
    keep = []
    for c in nb.cells:
        if c.cell_type == 'code' and not any(o.get('output_type') != 'stream' or ''.join(o.get('text', '')).strip() for o in c.get('outputs', [])):
            src = ''.join(c.source) if isinstance(c.source, list) else c.source
            new = strip_tests(src)
            if new is None: continue
            c['source'] = new
        elif c.cell_type == 'code':
            src = ''.join(c.source) if isinstance(c.source, list) else c.source
            new = strip_tests(src)
            if new: c['source'] = new
        keep.append(c)
    nb.cells[:] = keep


def _fix_cells(nb, reader:bool=False) -> str:
    "Frontmatter raw cell -> title markdown; strip Quarto attributes; hide show_doc inputs (and tests on reader pages). Returns the title."
    title = ''
    if reader: _hide_tests(nb)
    for i, c in enumerate(nb.cells):
        src = ''.join(c.source) if isinstance(c.source, list) else c.source
        if c.cell_type == 'raw' and src.startswith('---'):
            fm = _frontmatter(src); title = title or fm.get('title', '')
            if fm.get('title'): c['cell_type'], c['source'] = 'markdown', _title_cell(fm)
            continue
        if c.cell_type == 'code':
            if re.search(r'#\|\s*echo:\s*false', src) or src.lstrip().startswith('show_doc('):
                c.metadata.setdefault('tags', []).append('remove_input')
            elif src.lstrip().startswith('#|'): c['source'] = _drop_directives(src)
            for o in c.get('outputs', []):
                d = o.get('data', {})
                if 'text/markdown' in d:
                    md = ''.join(d['text/markdown']) if isinstance(d['text/markdown'], list) else d['text/markdown']
                    d['text/markdown'] = _QUARTO_ATTR.sub(')', md)
    return title


def _pure_imports_only():
    """nbdev executes every cell that contains an import to render show_doc; a cell that also uses notebook state then
    fails. Keep nbdev's rule for export/show_doc cells, but run an import cell only if it holds nothing but imports."""
    import nbdev.processors as P
    if getattr(P._do_eval, '_avsnb', False): return
    orig = P._do_eval
    def _do_eval(cell):
        r = orig(cell)
        if not r or cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'} or P._show_docs(cell.parsed_()): return r
        return all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in cell.parsed_())   # top-level statements
    _do_eval._avsnb = True
    warnings.filterwarnings('ignore', message='Found cells containing imports')
    P._do_eval = _do_eval


def _fresh_package_per_notebook():
    """nbdev runs every notebook in this one process (n_workers=0). A notebook's export cells register their classes
    (defined in `__main__`) in avsnb's registries, and a later notebook importing the package would then register the
    package's copies under the same names and be refused. Give each notebook what a new kernel gives it: no avsnb
    module imported yet, so fresh registries."""
    import nbdev.serve_drv as D
    if getattr(D.exec_nb, '_avsnb', False): return
    orig = D.exec_nb
    def exec_nb(src, dst, cb):
        for m in [m for m in sys.modules if m == 'avsnb' or m.startswith('avsnb.')]: del sys.modules[m]
        return orig(src, dst, cb)
    exec_nb._avsnb = True
    D.exec_nb = exec_nb


def _show_constants():
    """nbdev drops exported cells from the docs and shows their functions and classes through show_doc; an exported cell
    of constants only (assignments, no def/class) would leave its section empty. Show such a cell's code instead."""
    import nbdev.processors as P
    if getattr(P.rm_export, '_avsnb', False): return
    orig = P.rm_export
    def rm_export(cell):
        d = set(cell.directives_ or {})
        if cell.cell_type == 'code' and 'export' in d and not d & {'hide', 'exporti'}:
            try: body = cell.parsed_()
            except Exception: body = None
            if body and all(isinstance(t, (ast.Assign, ast.AnnAssign)) for t in body): return
        return orig(cell)
    rm_export._avsnb = True
    P.rm_export = rm_export


def _drop_directives(src:str) -> str:
    "The code without its leading `#| ...` lines (cell options are for the tools, not the reader)."
    lines = src.splitlines(keepends=True); i = 0
    while i < len(lines) and re.match(r'\s*#\|', lines[i]): i += 1
    return ''.join(lines[i:])


def _proc(nb):
    from nbdev.processors import FilterDefaults
    os.environ['IN_TEST'] = '1'
    _pure_imports_only(); _show_constants()
    FilterDefaults()(nb)
    return nb


def _out_text(o) -> str:
    if o.get('output_type') == 'stream': return ''.join(o.get('text', ''))
    d = o.get('data', {})
    for k in ('text/markdown', 'text/plain'):
        if k in d: v = d[k]; return ''.join(v) if isinstance(v, list) else v
    return ''


def readme_text() -> str:
    "README.md from nbs/index.ipynb, processed by nbdev's doc processors (saved outputs included)."
    cfg = get_config()
    nb = _proc(read_nb(cfg.config_path/cfg.nbs_path/cfg.get('readme_nb', 'index.ipynb')))
    _fix_cells(nb)
    parts = []
    for c in nb.cells:
        src = (''.join(c.source) if isinstance(c.source, list) else c.source).strip()
        tags = c.get('metadata', {}).get('tags', [])
        if c.cell_type == 'markdown' and src: parts.append(src)
        elif c.cell_type == 'code':
            if src and 'remove_input' not in tags: parts.append(f'{_FENCE}python\n{src}\n{_FENCE}')
            for o in c.get('outputs', []):
                d = o.get('data', {})
                if 'text/markdown' in d: parts.append(_out_text(o).strip())
                elif _out_text(o).strip(): parts.append(f'{_FENCE}\n{_out_text(o).rstrip()}\n{_FENCE}')
    return '\n\n'.join(p for p in parts if p) + '\n'


def readme():
    (ROOT/'README.md').write_text(readme_text(), encoding='utf-8')
    print('README.md written')


def check():
    want, have = readme_text(), (ROOT/'README.md').read_text(encoding='utf-8') if (ROOT/'README.md').exists() else ''
    if want != have:
        print('README.md is out of date with nbs/index.ipynb: run `python tools/docs.py readme`'); sys.exit(1)
    print('README.md is up to date')


def make_nav(
    pages:list, # (notebook path relative to the docs dir, title) pairs
) -> list:
    "MkDocs nav: Home (index), then 'Tutorials' (notebooks numbered 10 and up), then 'Reference' (00-09 and the rest)."
    home, tutorials, reference = [], [], []
    for rel, title in sorted(pages):
        stem = Path(rel).stem
        if stem == 'index' and '/' not in rel: home.append({'Home': rel}); continue
        m = re.match(r'(\d+)', stem)
        (tutorials if m and int(m.group(1)) >= 10 else reference).append({title: rel})
    return home + ([{'Tutorials': tutorials}] if tutorials else []) + ([{'Reference': reference}] if reference else [])


# Offline pages. nbconvert's lab template (used by mkdocs-jupyter) appends a <script> that loads the widget renderer
# from unpkg.com, and one that imports Mermaid from cdnjs when a page has a diagram. We vendor the renderer.
WIDGET_RENDERER = 'assets/vendor/html-manager/embed.js'       # docs_assets/ is copied to <docs>/assets/
CDN_URL = re.compile(r'https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|[\w.-]*\bcdn\b[\w.-]*)/[^\s"\'<>)]*', re.I)
_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
_LOADER = re.compile(r'<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\) \{.*?\}\(\)\);\s*</script>\n?', re.S)
_RENDERER_SRC = re.compile(r"'https?://[^']*/(?:@jupyter-widgets/html-manager|@?jupyter-js-widgets)@[^']*'")
_MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{\s*'
                      r'const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?<!-- End of mermaid configuration -->', re.S)


def has_widget_state(html:str) -> bool:
    "Whether a built page embeds saved widget state with at least one model."
    for m in _STATE.finditer(html):
        try: state = json.loads(m.group(1))
        except ValueError: continue
        if (state.get('state') if isinstance(state, dict) else None): return True
    return False


def offline_page(
    html:str, # a page as mkdocs-jupyter wrote it
    renderer:str=WIDGET_RENDERER, # URL of the vendored renderer, relative to the page
) -> str:
    "The page with no CDN script: the widget loader points at `renderer` (or is dropped when there is no widget state)."
    if has_widget_state(html): html = _LOADER.sub(lambda m: _RENDERER_SRC.sub(f"'{renderer}'", m.group(0)), html)
    else: html = _LOADER.sub('', html)
    if 'class="jp-Mermaid"' not in html: html = _MERMAID.sub('', html)      # no diagram: no Mermaid import
    return html


def offline_site(
    site:Path, # the built site
) -> dict:
    "Rewrite every page with `offline_page`; returns {page: CDN URLs still referenced} (empty when all is local)."
    left = {}
    for f in sorted(site.rglob('*.html')):
        html = f.read_text(encoding='utf-8')
        rel = os.path.relpath(site/WIDGET_RENDERER, f.parent).replace(os.sep, '/')
        new = offline_page(html, rel)
        if new != html: f.write_text(new, encoding='utf-8')
        if urls := set(CDN_URL.findall(new)): left[str(f.relative_to(site))] = urls
    return left


# Links. nbdev writes API cross-references as absolute URLs of a Quarto site (`doc_host` + `doc_baseurl` + the notebook
# name without its number, e.g. .../core.html#make_sample) and show_doc's [source] links point at GitHub; index-style
# markdown links name notebooks (`10_quickstart.ipynb`). The built site has none of those: rewrite them to its pages.
_HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")')
_ID = re.compile(r'\bid="([^"]+)"')
_TMP = re.compile(r'(?:/private)?/tmp/tmp[\w-]+')      # tempfile.mkdtemp() folders in saved outputs


def doc_url_map(
    cfg, # nbdev config
    pages:list, # page paths in the site, relative to its root ('00_core.html', ...)
) -> dict:
    "{absolute URL prefix nbdev uses for a notebook: the site page}, e.g. https://host/base/core.html -> 00_core.html."
    from nbdev.doclinks import _nbpath2html
    base = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/')
    return {f'{base}/{_nbpath2html(Path(pg).with_suffix(".ipynb")).as_posix()}': pg for pg in pages}


def _slug_variants(anchor:str) -> list:
    a = anchor.lower()
    return [anchor, a, a.replace('.', ''), a.replace('.', '-'), a.split('.')[-1]]


def rewrite_links(
    html:str, # a built page
    page:str, # its path relative to the site root
    url_map:dict, # doc_url_map(...)
    ids:dict, # {site page: set of element ids in it}
    git_blob:str='', # git_url + '/blob/<branch>/' (show_doc's source links), '' to leave them
    sources:dict|None=None, # {path in the repo ('avsnb/core.py'): its source page in the site}
) -> tuple:
    "The page with site-local links; returns (html, number of links rewritten)."
    n = 0
    up = '../' * page.count('/')
    def target(href):
        nonlocal n
        url, _, frag = href.partition('#')
        if url in url_map:                                   # an API cross-reference
            pg = url_map[url]; have = ids.get(pg, set())
            frag = next((v for v in _slug_variants(frag) if v in have), '') if frag else ''
            n += 1; return up + pg + (f'#{frag}' if frag else '')
        if git_blob and sources is not None and url.startswith(git_blob) and url[len(git_blob):] in sources:
            n += 1; return up + sources[url[len(git_blob):]] + (f'#{frag.replace("L", "L-", 1)}' if re.fullmatch(r'L\d+', frag) else '')
        if not re.match(r'[a-z][\w+.-]*:|/|#', url) and url.endswith('.ipynb'):   # a relative link to a notebook
            pg = (Path(page).parent/url).with_suffix('.html').as_posix()
            if pg in ids:
                n += 1; return up + pg + (f'#{frag}' if frag else '')
        return href
    out = _HREF.sub(lambda m: m.group(1) + target(m.group(2)) + m.group(3), html)
    return out, n


_TOC_LINK = re.compile(r'(<a href="#)([^"]*)(" class="md-nav__link">\s*<span class="md-ellipsis">)(.*?)(</span>)', re.S)
_CELL = re.compile(r'<div class="jp-Cell jp-(MarkdownCell|CodeCell)')
_HEADING = re.compile(r'<h([2-6]) id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link"|</h\1>)', re.S)


def _text(html:str) -> str: return re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', '', html)).strip()


def fix_toc(
    html:str, # a built page
) -> tuple:
    """Material's table of contents is made from the notebook's markdown headings (h2 and below) and slugs them from
    the markdown, nbconvert from the HTML: the anchors differ when a heading holds a link or code (`_1`,
    `fewer-frames-per-step` vs `fewer-frames-per-step-temporal_crop`), and a heading of code only gets an empty entry.
    The entries follow the markdown cells' headings in order, so pair them up. Returns (html, entries fixed)."""
    cells = [(m.start(), m.group(1) == 'MarkdownCell') for m in _CELL.finditer(html)]
    heads = []
    for m in _HEADING.finditer(html):
        owner = [md for pos, md in cells if pos < m.start()]
        if owner and owner[-1]: heads.append((m.group(2), _text(m.group(3))))
    order = []
    for m in _TOC_LINK.finditer(html):
        if m.group(2) not in order: order.append(m.group(2))
    if len(order) != len(heads): return html, 0
    pair = dict(zip(order, heads)); n = 0
    def fix(m):
        nonlocal n
        hid, label = pair[m.group(2)]
        same = _text(m.group(4)) == label
        if hid == m.group(2) and same: return m.group(0)
        text = m.group(4) if same else f'\n{label}\n'
        n += 1; return m.group(1) + hid + m.group(3) + text + m.group(5)
    return _TOC_LINK.sub(fix, html), n


def source_pages(
    site:Path, # the built site
    files:list, # repo-relative paths of the library's modules
) -> dict:
    "Write a highlighted page per module (line anchors L-<n>) under site/source/; returns {module path: page}."
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    fmt = HtmlFormatter(linenos='inline', lineanchors='L', anchorlinenos=True, wrapcode=True)
    out = {}
    for f in files:
        rel = f'source/{f}.html'; dst = site/rel; dst.parent.mkdir(parents=True, exist_ok=True)
        body = highlight((ROOT/f).read_text(encoding='utf-8'), PythonLexer(), fmt)
        home = '../' * rel.count('/') + 'index.html'
        dst.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{f} · avsnb source</title>'
                       f'<style>{fmt.get_style_defs(".highlight")} body{{font:14px/1.4 monospace;margin:1em}} '
                       f'.highlight pre{{margin:0}} :target{{background:#ffef9e}} .linenos{{color:#999}}</style></head>'
                       f'<body><p><a href="{home}">avsnb docs</a> · <b>{f}</b> (generated from the notebooks by nbdev_export)</p>'
                       f'{body}</body></html>', encoding='utf-8')
        out[f] = rel
    return out


def scrub_paths(
    text:str, # an output's text
) -> str:
    "Saved outputs without local absolute paths: the repository root becomes '.', temporary folders '<tmp>'."
    return _TMP.sub('<tmp>', text.replace(str(ROOT) + '/', './').replace(str(ROOT), '.'))


def _scrub_outputs(nb):
    for c in nb.cells:
        for o in c.get('outputs', []):
            if 'text' in o: o['text'] = scrub_paths(''.join(o['text']) if isinstance(o['text'], list) else o['text'])
            for k, v in o.get('data', {}).items():
                if k.startswith('text/') or k == 'application/javascript':
                    o['data'][k] = scrub_paths(''.join(v) if isinstance(v, list) else v)
            if 'traceback' in o: o['traceback'] = [scrub_paths(t) for t in o['traceback']]


# Search. Material's search runs in a Web Worker that fetches search_index.json: both are refused under file://, where
# the box stays at "Initializing search". We clean the index (no "Copied!" button text, no test lines) and also write it
# as search/search_index.js; docs_assets/offline-search.js loads that with a <script> tag under file:// and answers the
# search box itself (a small scorer), leaving Material's own search in charge over http.
_PRE = re.compile(r'<pre>(.*?)</pre>', re.S)
_TEST_CALL = re.compile(r'\b(?:' + '|'.join(sorted(TEST_CALLS, key=len, reverse=True)) + r')\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)')
_TEST_LINE = re.compile(r'^\s*(?:assert\b|(?:' + '|'.join(sorted(TEST_CALLS, key=len, reverse=True)) + r')\()')


def clean_search_text(
    text:str, # a search-index entry's text (HTML)
) -> str:
    """Drop the copy button's 'Copied!', the plain copy of each code block that the button copies from (the same code a
    second time), and test calls/lines; drop code blocks left empty."""
    parts = re.split(r'(<pre>.*?</pre>)', text.replace('Copied!', ' '), flags=re.S)
    for i in range(1, len(parts) - 1, 2):
        words = parts[i][5:-6].split()
        if words: parts[i + 1] = re.sub(r'\s*'.join(map(re.escape, words)), ' ', parts[i + 1], count=1)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            code = '\n'.join(l for l in part[5:-6].split('\n') if not _TEST_LINE.match(l)).strip()
            out.append(f'<pre>{code}</pre>' if code else '')
        else: out.append(_TEST_CALL.sub('', part))
    return re.sub(r'[ \t]{3,}', '  ', ''.join(out))


def clean_search(
    site:Path, # the built site
) -> int:
    "Clean search/search_index.json in place and write search/search_index.js; returns the number of entries."
    f = site/'search'/'search_index.json'
    idx = json.loads(f.read_text(encoding='utf-8'))
    for d in idx['docs']: d['text'], d['title'] = clean_search_text(d['text']), d['title'].replace('¶', '').strip()
    f.write_text(json.dumps(idx, ensure_ascii=False), encoding='utf-8')
    (site/'search'/'search_index.js').write_text('window.__avsnbSearchIndex = ' + json.dumps(idx, ensure_ascii=False) + ';\n', encoding='utf-8')
    return len(idx['docs'])


def finish_site(
    site:Path, # the built site
    cfg, # nbdev config
) -> dict:
    "Site-local links, source pages and a cleaned (and file://-loadable) search index; returns counts."
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html'))
    lib = cfg.get('lib_path', 'avsnb'); lib = Path(lib).name if Path(lib).is_absolute() else lib
    mods = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT/lib).rglob('*.py') if not p.name.startswith('_'))
    sources = source_pages(site, mods)
    ids = {pg: set(_ID.findall((site/pg).read_text(encoding='utf-8'))) for pg in pages}
    url_map = doc_url_map(cfg, [pg for pg in pages if '/' not in pg])
    blob = f"{cfg.get('git_url', '').rstrip('/')}/blob/{cfg.get('branch', 'main')}/" if cfg.get('git_url') else ''
    n = n_toc = 0
    for pg in pages:
        f = site/pg; html = f.read_text(encoding='utf-8')
        new, k = rewrite_links(html, pg, url_map, ids, blob, sources); n += k
        new = new.replace('src="docs_assets/', f'src="{"../" * pg.count("/")}assets/')   # README images (docs_assets/ is the site's assets/)
        new, k = fix_toc(new); n_toc += k
        if new != html: f.write_text(new, encoding='utf-8')
    return dict(links=n, toc=n_toc, sources=len(sources), search_entries=clean_search(site))


def build():
    from nbdev.serve import proc_nbs
    from nbdev.doclinks import _build_modidx
    cfg = get_config()
    _build_modidx()
    _pure_imports_only(); _show_constants(); _fresh_package_per_notebook()
    proc = ROOT/'_proc'            # nbdev reuses processed notebooks unless settings.ini changed: also when this script did
    stale = not proc.exists() or proc.stat().st_mtime < Path(__file__).stat().st_mtime
    cache = proc_nbs(n_workers=0, force=stale)     # in this process, so the patches above apply
    out = ROOT/'_mkdocs'
    shutil.rmtree(out, ignore_errors=True); out.mkdir()
    pages = []
    for p in sorted(cache.rglob('*.ipynb')):
        rel = p.relative_to(cache)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        nb = read_nb(p); title = _fix_cells(nb, is_reader_page(rel.stem)) or rel.stem
        _scrub_outputs(nb)
        (out/rel).parent.mkdir(parents=True, exist_ok=True)
        write_nb(nb, out/rel)
        pages.append((rel.as_posix(), title))
    nav = make_nav(pages)
    for extra in (cfg.config_path/cfg.nbs_path).glob('*.md'): shutil.copy(extra, out/extra.name)
    assets = cfg.config_path/'docs_assets'
    if assets.exists(): shutil.copytree(assets, out/'assets', dirs_exist_ok=True)
    conf = yaml.safe_load((ROOT/'mkdocs.yml').read_text())
    conf.update(docs_dir=str(out), site_dir=str(ROOT/cfg.get('doc_path', '_docs')), nav=nav)
    gen = ROOT/'_proc'/'mkdocs.gen.yml'
    gen.write_text(yaml.safe_dump(conf, sort_keys=False))
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(gen)], cwd=ROOT, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode: sys.exit(r.returncode)
    left = offline_site(Path(conf['site_dir']))
    done = finish_site(Path(conf['site_dir']), cfg)
    for page, urls in left.items(): print(f'warning: {page} still references {", ".join(sorted(urls))}')
    n_widgets = sum(has_widget_state(f.read_text(encoding='utf-8')) for f in Path(conf['site_dir']).rglob('*.html'))
    print(f"docs built: {len(pages)} pages ({n_widgets} with widgets), {done['links']} links made local, {done['toc']} contents entries fixed, "
          f"{done['sources']} source pages, "
          f"{done['search_entries']} search entries, in {conf['site_dir']}")


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'build'
    dict(readme=readme, build=build, check=check)[cmd]()
