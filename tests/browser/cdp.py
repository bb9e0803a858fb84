"""A small headless-Chromium driver over the DevTools protocol (websocket-client only, nothing downloaded).

    with Chromium() as page:                      # a fresh profile, headless, debugging port picked by Chromium
        page.goto('http://127.0.0.1:8000/')
        page.wait_for('document.querySelector("audio") !== null', timeout=60)
        page.screenshot('shot.png')

Every network request the page makes is recorded in `page.requests` (URLs), so a test can check that nothing left
127.0.0.1.
"""
from __future__ import annotations
import base64, json, os, shutil, signal, subprocess, tempfile, time, urllib.request
from pathlib import Path

import websocket

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--no-default-browser-check',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
         '--disable-dev-shm-usage', '--mute-audio', '--autoplay-policy=no-user-gesture-required', '--remote-allow-origins=*']


def find_chromium() -> str | None:
    "Path of a Chromium/Chrome executable (env CHROMIUM overrides), or None."
    if os.environ.get('CHROMIUM'): return shutil.which(os.environ['CHROMIUM'])
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if p := shutil.which(name): return p
    return None


class CDPError(RuntimeError): pass


class Chromium:
    "Headless Chromium with one page, driven over the DevTools protocol."
    def __init__(self, exe:str|None=None, width:int=1280, height:int=1000, timeout:float=30, extra_flags:list|tuple=()):
        self.exe, self.extra_flags = exe or find_chromium(), list(extra_flags)
        if not self.exe: raise FileNotFoundError('chromium not found')
        self.size, self.timeout = (width, height), timeout
        self.requests, self.console, self.exceptions = [], [], []
        self._id, self.proc, self.ws = 0, None, None

    # -- process and connection ------------------------------------------------------------------------------------
    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix='avsnb-chromium-')
        args = [self.exe, *FLAGS, f'--user-data-dir={self.profile}', '--remote-debugging-address=127.0.0.1',
                '--remote-debugging-port=0', f'--window-size={self.size[0]},{self.size[1]}', *self.extra_flags, 'about:blank']
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        try:
            port = self._port()
            end = time.monotonic() + self.timeout
            while True:                                      # the about:blank page target
                pages = [t for t in json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=5))
                         if t.get('type') == 'page']
                if pages or time.monotonic() > end: break
                time.sleep(0.1)
            if not pages: raise CDPError('chromium opened no page')
            self.ws = websocket.create_connection(pages[0]['webSocketDebuggerUrl'], timeout=self.timeout, suppress_origin=True)
            for dom in ('Page', 'Runtime', 'Network'): self.send(f'{dom}.enable')
            self.send('Emulation.setDeviceMetricsOverride', width=self.size[0], height=self.size[1], deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close(); raise
        return self

    def _port(self) -> int:
        "The debugging port Chromium chose, read from DevToolsActivePort in its profile."
        f, end = Path(self.profile)/'DevToolsActivePort', time.monotonic() + self.timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise CDPError(f'chromium exited with {self.proc.returncode}: {self.proc.stderr.read().decode(errors="replace")[-2000:]}')
            if f.exists() and (lines := f.read_text().split()): return int(lines[0])
            time.sleep(0.05)
        raise CDPError('chromium did not open its debugging port')

    def close(self):
        if self.ws is not None:
            try: self.ws.close()
            except Exception: pass
            self.ws = None
        if self.proc is not None and self.proc.poll() is None:
            try: os.killpg(self.proc.pid, signal.SIGTERM)   # chromium and its helper processes (own session)
            except ProcessLookupError: pass
            try: self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait(10)
        if self.proc is not None and self.proc.stderr: self.proc.stderr.close()
        shutil.rmtree(getattr(self, 'profile', ''), ignore_errors=True)

    def __exit__(self, *exc): self.close()

    # -- protocol ------------------------------------------------------------------------------------------------------
    def _event(self, msg):
        m, p = msg.get('method'), msg.get('params', {})
        if m == 'Network.requestWillBeSent': self.requests.append(p['request']['url'])
        elif m == 'Runtime.consoleAPICalled':
            self.console.append(' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', [])))
        elif m == 'Runtime.exceptionThrown':
            d = p.get('exceptionDetails', {}); self.exceptions.append(d.get('exception', {}).get('description') or d.get('text'))

    def send(self, method:str, **params):
        "Send one command and return its result (events that arrive meanwhile are recorded)."
        self._id += 1; mid = self._id
        self.ws.send(json.dumps(dict(id=mid, method=method, params=params)))
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            msg = json.loads(self.ws.recv())
            if msg.get('id') == mid:
                if 'error' in msg: raise CDPError(f"{method}: {msg['error']}")
                return msg.get('result', {})
            self._event(msg)
        raise CDPError(f'{method}: no answer in {self.timeout} s')

    def pump(self, seconds:float=0.0):
        "Read (and record) events for a while."
        end = time.monotonic() + seconds
        self.ws.settimeout(0.05)
        try:
            while time.monotonic() < end:
                try: self._event(json.loads(self.ws.recv()))
                except websocket.WebSocketTimeoutException: pass
        finally: self.ws.settimeout(self.timeout)

    # -- page helpers ----------------------------------------------------------------------------------------------
    def goto(self, url:str): return self.send('Page.navigate', url=url)

    def js(self, expr:str):
        "Evaluate a JavaScript expression in the page; returns its (JSON) value."
        r = self.send('Runtime.evaluate', expression=expr, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r: raise CDPError(f"{expr[:80]}…: {r['exceptionDetails'].get('text')} {r['result'].get('description', '')}")
        return r['result'].get('value')

    def wait_for(self, expr:str, timeout:float=60, what:str|None=None):
        "Poll a JavaScript expression until it is truthy; return its value (CDPError after `timeout` s)."
        end = time.monotonic() + timeout
        while True:
            v = self.js(expr)
            if v: return v
            if time.monotonic() > end: raise CDPError(f'timed out after {timeout} s waiting for {what or expr}')
            self.pump(0.25)

    def key(self, key:str, code:str|None=None, key_code:int|None=None):
        "Press and release one key (a trusted input event, sent to the focused element)."
        codes = dict(ArrowRight=39, ArrowLeft=37, ArrowUp=38, ArrowDown=40, Home=36, End=35)
        kc = key_code or codes.get(key, 0)
        for t in ('rawKeyDown', 'keyUp'):
            self.send('Input.dispatchKeyEvent', type=t, key=key, code=code or key, windowsVirtualKeyCode=kc, nativeVirtualKeyCode=kc)

    def click(self, x:float, y:float):
        "A left click at (x,y) in CSS pixels of the viewport (trusted mouse events)."
        self.send('Input.dispatchMouseEvent', type='mouseMoved', x=x, y=y)
        for t in ('mousePressed', 'mouseReleased'):
            self.send('Input.dispatchMouseEvent', type=t, x=x, y=y, button='left', buttons=1 if t == 'mousePressed' else 0, clickCount=1)

    def drag(self, x0:float, y0:float, x1:float, y1:float, steps:int=8):
        "Press the left mouse button at (x0,y0), move to (x1,y1) in steps, release (trusted mouse events)."
        self.send('Input.dispatchMouseEvent', type='mouseMoved', x=x0, y=y0)
        self.send('Input.dispatchMouseEvent', type='mousePressed', x=x0, y=y0, button='left', buttons=1, clickCount=1)
        for i in range(1, steps + 1):
            self.send('Input.dispatchMouseEvent', type='mouseMoved', x=x0 + (x1 - x0) * i / steps, y=y0 + (y1 - y0) * i / steps,
                      button='left', buttons=1)
        self.send('Input.dispatchMouseEvent', type='mouseReleased', x=x1, y=y1, button='left', buttons=0, clickCount=1)

    def screenshot(self, path, full_page:bool=True) -> Path:
        "Save a PNG of the page (the whole document when full_page)."
        kw = {}
        if full_page:
            m = self.send('Page.getLayoutMetrics')['cssContentSize']
            kw = dict(captureBeyondViewport=True, clip=dict(x=0, y=0, width=max(m['width'], 1), height=min(max(m['height'], 1), 8000), scale=1))
        data = self.send('Page.captureScreenshot', format='png', **kw)['data']
        path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
