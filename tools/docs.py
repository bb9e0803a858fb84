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
and the Mermaid loader (a cdnjs import) is dropped from pages without a diagram.
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


def _fix_cells(nb) -> str:
    "Frontmatter raw cell -> title markdown; strip Quarto attributes; hide show_doc inputs. Returns the title."
    title = ''
    for i, c in enumerate(nb.cells):
        src = ''.join(c.source) if isinstance(c.source, list) else c.source
        if c.cell_type == 'raw' and src.startswith('---'):
            fm = _frontmatter(src); title = title or fm.get('title', '')
            if fm.get('title'): c['cell_type'], c['source'] = 'markdown', _title_cell(fm)
            continue
        if c.cell_type == 'code':
            if re.search(r'#\|\s*echo:\s*false', src) or src.lstrip().startswith('show_doc('):
                c.metadata.setdefault('tags', []).append('remove_input')
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


def _proc(nb):
    from nbdev.processors import FilterDefaults
    os.environ['IN_TEST'] = '1'
    _pure_imports_only()
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


def build():
    from nbdev.serve import proc_nbs
    from nbdev.doclinks import _build_modidx
    cfg = get_config()
    _build_modidx()
    _pure_imports_only()
    cache = proc_nbs(n_workers=0)     # in this process, so the patch above applies
    out = ROOT/'_mkdocs'
    shutil.rmtree(out, ignore_errors=True); out.mkdir()
    pages = []
    for p in sorted(cache.rglob('*.ipynb')):
        rel = p.relative_to(cache)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        nb = read_nb(p); title = _fix_cells(nb) or rel.stem
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
    for page, urls in left.items(): print(f'warning: {page} still references {", ".join(sorted(urls))}')
    n_widgets = sum(has_widget_state(f.read_text(encoding='utf-8')) for f in Path(conf['site_dir']).rglob('*.html'))
    print(f"docs built: {len(pages)} pages ({n_widgets} with widgets) in {conf['site_dir']}")


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'build'
    dict(readme=readme, build=build, check=check)[cmd]()
