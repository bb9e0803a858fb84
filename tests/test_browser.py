"""The viewer works in a real browser: Voilà serves tests/browser/viewer_app.ipynb (a tiny synthetic benchmark in an
`AVSViewer`) on 127.0.0.1, headless Chromium (driven over the DevTools protocol) opens it, finds the audio player with
its sound, the overlay image and the clip slider, presses → on the slider and sees the image change. The page is saved
to reports/browser/viewer.png. Then the docs' side: a page rendered as mkdocs-jupyter does from saved widget state, made
offline by tools/docs.py, shows the same widgets with the vendored @jupyter-widgets/html-manager while no host but
127.0.0.1 resolves (reports/browser/docs_static.png).
Needs `chromium` (tools/browser_setup.sh installs it; in CI, env CI=true, a missing browser fails instead of skipping)."""
import importlib.util, os, re, signal, socket, subprocess, sys, time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'/'browser'))
from cdp import Chromium, find_chromium  # noqa: E402

APP = ROOT/'tests'/'browser'/'viewer_app.ipynb'
SHOT = ROOT/'reports'/'browser'/'viewer.png'
IN_CI = os.environ.get('CI', '').lower() in ('1', 'true', 'yes')
# Voilà's own page template links Font Awesome from jsDelivr; Chromium is told to resolve no host but 127.0.0.1, so
# that request fails at once, and it is the only one allowed to leave the machine.
VOILA_CDN = 'https://cdn.jsdelivr.net/npm/@fortawesome/'


@pytest.fixture
def chromium():
    "Path of the browser; skips without one, except in CI (env CI=true), where it fails."
    exe = find_chromium()
    if exe: return exe
    msg = 'chromium not found: run `bash tools/browser_setup.sh` (apt-get install chromium)'
    if IN_CI: pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture
def voila(tmp_path):
    "Voilà serving the viewer notebook on 127.0.0.1 (a free port); yields the base URL."
    if importlib.util.find_spec('voila') is None: pytest.fail("voila is not installed (a dev requirement): pip install -e '.[dev]'")
    log = open(tmp_path/'voila.log', 'w+')
    env = {**os.environ, 'AVSNB_BROWSER_TMP': str(tmp_path), 'IN_TEST': '1', 'OMP_NUM_THREADS': '1',
           'JUPYTER_PLATFORM_DIRS': '1', 'PYDEVD_DISABLE_FILE_VALIDATION': '1'}
    with socket.socket() as sk: sk.bind(('127.0.0.1', 0)); port = sk.getsockname()[1]   # free now; voila retries if taken
    cmd = [sys.executable, '-m', 'voila', str(APP), '--no-browser', '--Voila.ip=127.0.0.1', f'--port={port}',
           '--Voila.port_retries=20', '--show_tracebacks=True',
           '--VoilaConfiguration.extension_denylist=jupyterlab-jupytext']   # a Lab-only extension: fails in Voilà
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        end, url = time.monotonic() + 60, None
        while url is None:
            log.seek(0); m = re.search(r'(http://127\.0\.0\.1:\d+/)', log.read())
            if m: url = m.group(1); break
            if proc.poll() is not None or time.monotonic() > end:
                log.seek(0); pytest.fail(f'voila did not start (rc={proc.poll()}):\n{log.read()[-3000:]}')
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)            # voila and the kernel it started (own session)
            try: proc.wait(15)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
        log.seek(0); tail = log.read()[-3000:]; log.close()
        print('voila log (tail):\n' + tail)


# JavaScript probes; the viewer tags its widgets with CSS classes avsnb-viewer-<name>.
_STATE = '''(() => {
  const q = s => document.querySelector(s);
  const audio = q('audio.avsnb-viewer-audio'), img = q('img.avsnb-viewer-image');
  const slider = q('.avsnb-viewer-slider'), handle = slider && slider.querySelector('[role=slider]');
  const r = e => { if (!e) return null; const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; };
  return {audio: audio ? audio.src : null, audio_controls: audio ? audio.controls : null,
          audio_duration: audio && isFinite(audio.duration) ? audio.duration : null,
          img: img ? img.src : null, img_size: img ? [img.naturalWidth, img.naturalHeight] : null, img_box: r(img),
          handle: handle ? handle.getAttribute('aria-valuenow') : null, handle_box: r(handle),
          readout: slider ? (slider.querySelector('.widget-readout') || {}).textContent : null,
          info: (q('.avsnb-viewer-info') || {}).innerText || null,
          errors: Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type*=error], .jp-RenderedText[data-mime-type*=stderr]'))
                       .map(e => e.innerText.slice(0, 500))};
})()'''
_READY = f'''(() => {{ const s = {_STATE};
  if (s.errors.length) return s;
  return s.audio && /^(blob|data):/.test(s.audio) && s.audio_duration > 0 && s.img && /^(blob|data):/.test(s.img) && s.img_size[0] > 0
         && s.handle !== null && s.handle_box && s.handle_box[2] > 0 ? s : null; }})()'''


def test_viewer_in_browser(chromium, voila):
    t0 = time.monotonic()
    with Chromium(chromium, width=1280, height=1400, timeout=30,
                  extra_flags=['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']) as page:
        page.goto(voila)
        try: s = page.wait_for(_READY, timeout=60, what='the viewer (audio with a source, overlay image, clip slider)')
        except Exception:
            page.screenshot(SHOT.with_name('viewer-failed.png'))
            raise AssertionError(f'viewer did not render: {page.js(_STATE)}\nconsole: {page.console[-10:]}\n'
                                 f'exceptions: {page.exceptions[-5:]}')
        assert not s['errors'], s['errors']
        assert s['audio_controls'], 'the audio player has no controls'
        assert abs(s['audio_duration'] - 5.0) < 0.05, s['audio_duration']         # the browser decoded the 5 s WAV
        assert s['handle'] in ('0', '0.0') and s['readout'] == '0', s
        img0, audio0 = s['img'], s['audio']
        w, h = s['img_size']; assert w >= 300 and h >= 100, s['img_size']       # the frame strip: frames × rows
        # A real user input: click the slider's handle (focus) and press → once.
        x, y, bw, bh = s['handle_box']
        page.click(x + bw / 2, y + bh / 2)
        page.key('ArrowRight')
        s2 = page.wait_for(f'(() => {{ const s = {_STATE}; return s.img && s.img !== {img0!r} && s.readout === "1" ? s : null }})()',
                           timeout=60, what='the overlay image to change after → on the slider')
        assert s2['handle'] in ('1', '1.0'), s2
        assert s2['audio'] != audio0 and s2['audio'].startswith(('blob:', 'data:')), 'the audio did not follow the clip'
        assert 'clip 1' in (s2['info'] or ''), s2['info']
        page.pump(0.5)
        page.screenshot(SHOT)
    assert SHOT.stat().st_size > 10_000
    external = {u for u in page.requests if urlparse(u).scheme in ('http', 'https', 'ws', 'wss')
                and urlparse(u).hostname != '127.0.0.1' and not u.startswith(VOILA_CDN)}
    assert not external, f'the page asked for resources outside 127.0.0.1: {sorted(external)}'
    print(f'browser part: {time.monotonic() - t0:.1f} s; screenshot {SHOT}')


def _static_page(tmp_path):
    "A docs page as mkdocs-jupyter renders it, from a notebook whose output is an AVSViewer with its saved widget state."
    import shutil
    import nbformat, torch
    from ipywidgets.embed import dependency_state
    from mkdocs_jupyter.nbconvert2 import nb2html
    spec = importlib.util.spec_from_file_location('avsnb_docs_tool', ROOT/'tools'/'docs.py')
    docs = importlib.util.module_from_spec(spec); spec.loader.exec_module(docs)
    from avsnb.synthetic import build_synthetic
    from avsnb.vpo import VPODataset
    from avsnb.viewer import AVSViewer
    torch.set_num_threads(1)
    ds = VPODataset(build_synthetic(tmp_path/'synthetic', size='cpu', n_train=2, n_test=2, variants=('ms',)), 'ms', 'test')
    v = AVSViewer(ds)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('AVSViewer(ds)', outputs=[nbformat.v4.new_output(
        'display_data', data={'application/vnd.jupyter.widget-view+json': dict(model_id=v.widget.model_id, version_major=2, version_minor=0),
                              'text/plain': 'AVSViewer'})])]
    nb.metadata['kernelspec'] = dict(name='python3', display_name='Python 3', language='python')
    nb.metadata['widgets'] = {'application/vnd.jupyter.widget-state+json':
                              dict(version_major=2, version_minor=0, state=dependency_state([v.widget], drop_defaults=True))}
    site = tmp_path/'site'; (site/'assets').mkdir(parents=True)
    nbformat.write(nb, tmp_path/'page.ipynb')
    body = nb2html(str(tmp_path/'page.ipynb'), theme='light', no_prompt=True, custom_mathjax_url='')   # as mkdocs-jupyter does
    raw = f'<!doctype html><html><head><meta charset="utf-8"><title>static widgets</title></head><body>{body}</body></html>'
    assert docs.CDN_URL.search(raw), 'mkdocs-jupyter no longer links a CDN renderer: check tools/docs.py offline_page'
    html = docs.offline_page(raw, docs.WIDGET_RENDERER)
    assert docs.WIDGET_RENDERER in html and not docs.CDN_URL.search(html), docs.CDN_URL.findall(html)
    (site/'page.html').write_text(html, encoding='utf-8')
    shutil.copytree(ROOT/'docs_assets'/'vendor', site/'assets'/'vendor')
    return site


def test_docs_widgets_render_offline(chromium, tmp_path):
    "The docs' saved widget state renders with the vendored html-manager while no host but 127.0.0.1 resolves."
    import functools, http.server, threading
    site = _static_page(tmp_path)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True); th.start()
    try:
        with Chromium(chromium, width=1100, height=900, timeout=30,
                      extra_flags=['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']) as page:
            page.goto(f'http://127.0.0.1:{srv.server_address[1]}/page.html')
            try: s = page.wait_for(_READY, timeout=60, what='the statically rendered viewer')
            except Exception:
                raise AssertionError(f'static widgets did not render: {page.js(_STATE)}\nconsole: {page.console[-10:]}')
            assert not s['errors'] and abs(s['audio_duration'] - 5.0) < 0.05 and s['img_size'][0] >= 300, s
            page.screenshot(SHOT.with_name('docs_static.png'))
    finally:
        srv.shutdown(); srv.server_close()
    assert any(u.endswith('/assets/vendor/html-manager/embed.js') for u in page.requests), page.requests
    outside = {u for u in page.requests if urlparse(u).scheme in ('http', 'https') and urlparse(u).hostname != '127.0.0.1'}
    assert not outside, sorted(outside)
