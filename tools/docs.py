"""Offline README and documentation site for avsnb (Quarto cannot be installed offline).

    python tools/docs.py readme   # nbs/index.ipynb -> README.md, through nbdev's own doc processors
    python tools/docs.py build    # nbs/*.ipynb -> _docs/ (nbdev processors, then MkDocs Material + mkdocs-jupyter)
    python tools/docs.py check    # exit 1 if README.md is not what `readme` would write

`build` runs nbdev's `proc_nbs` (hide/show_doc/frontmatter processing, exactly as for Quarto), turns the YAML
frontmatter back into a title, drops Quarto-only link attributes, writes the result to `_mkdocs/`, generates the
navigation from the notebooks' titles (so a new notebook needs no config edit) and runs `mkdocs build`.
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


def build():
    from nbdev.serve import proc_nbs
    from nbdev.doclinks import _build_modidx
    cfg = get_config()
    _build_modidx()
    _pure_imports_only()
    cache = proc_nbs(n_workers=0)     # in this process, so the patch above applies
    out = ROOT/'_mkdocs'
    shutil.rmtree(out, ignore_errors=True); out.mkdir()
    nav = []
    for p in sorted(cache.rglob('*.ipynb')):
        rel = p.relative_to(cache)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        nb = read_nb(p); title = _fix_cells(nb) or rel.stem
        (out/rel).parent.mkdir(parents=True, exist_ok=True)
        write_nb(nb, out/rel)
        nav.append({('Home' if rel.stem == 'index' else title): str(rel)})
    nav.sort(key=lambda d: (list(d.values())[0] != 'index.ipynb', list(d.values())[0]))
    for extra in (cfg.config_path/cfg.nbs_path).glob('*.md'): shutil.copy(extra, out/extra.name)
    assets = cfg.config_path/'docs_assets'
    if assets.exists(): shutil.copytree(assets, out/'assets', dirs_exist_ok=True)
    conf = yaml.safe_load((ROOT/'mkdocs.yml').read_text())
    conf.update(docs_dir=str(out), site_dir=str(ROOT/cfg.get('doc_path', '_docs')), nav=nav)
    gen = ROOT/'_proc'/'mkdocs.gen.yml'
    gen.write_text(yaml.safe_dump(conf, sort_keys=False))
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(gen)], cwd=ROOT, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode: sys.exit(r.returncode)
    print(f"docs built: {len(nav)} pages in {conf['site_dir']}")


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'build'
    dict(readme=readme, build=build, check=check)[cmd]()
