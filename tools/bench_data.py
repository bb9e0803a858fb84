#!/usr/bin/env python
"""Samples/s of the AVSBench loaders, read from disk and from the on-disk cache (when this avsnb has one).

    python tools/bench_data.py                         # writes a fixture tree under /tmp/avsnb_bench once, then times
    python tools/bench_data.py --clips 24 --seconds 20 --workers 0 2 --json bench.json

The data is a fixture tree in the released layouts at real frame sizes: AVSBench-semantic (384×384 JPEG frames,
RGB-coded PNG labels, 5-frame v1s/v1m clips with mono and stereo WAVs) and AVSBench-object S4 (224×224 PNG frames).
Each loader is built through the recipe path (`build_dataset`), with the settings of a recipe:

- `avss-cpu`: the CPU recipe's shape (`tpavi-synthetic` pointed at AVSS): size 96, one frame per sample, flips;
- `avss-eval`: whole 5-frame clips at 224 (validation);
- `s4-cpu`: S4 at size 96, one frame per sample, flips.

samples/s = samples drawn through a DataLoader (batch 16, `collate`) / seconds, after one warm-up batch. With
`cache`, the first build of the cache is timed separately (`build s`). Run it on an idle machine for real figures;
runs on a shared machine only compare loaders measured in the same call.
"""
import argparse, inspect, json, os, shutil, sys, tempfile, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(os.environ.get('AVSNB_ROOT', Path(__file__).resolve().parents[1]))))
from torch.utils.data import DataLoader
from avsnb.core import collate
from avsnb.registry import build_dataset, DATASETS
from avsnb.testing import write_avss_fixture, write_s4_fixture


def fixtures(folder:Path, clips:int) -> dict:
    "Write (once) the benchmark trees; returns their roots."
    avss, s4 = folder/f'avss-{clips}', folder/f's4-{clips}'
    if not (avss/'metadata.csv').is_file():
        shutil.rmtree(avss, ignore_errors=True)
        spec = [('v1s' if k % 2 else 'v1m', 'train') for k in range(clips)] + [('v1m', 'val')] * max(2, clips // 4)
        tmp = write_avss_fixture(Path(tempfile.mkdtemp(dir=folder)), clips=spec, hw=(384, 384))
        tmp.rename(avss)
    if not (s4/'s4_meta_data.csv').is_file():
        shutil.rmtree(s4, ignore_errors=True)
        tmp = write_s4_fixture(Path(tempfile.mkdtemp(dir=folder)), clips=clips, hw=(224, 224), pkl=False)
        tmp.rename(s4)
    return dict(avss=avss, s4=s4)


def loaders(roots:dict) -> dict:
    "name → (data settings, split)."
    return {'avss-cpu': (dict(kind='avsbench-semantic', root=str(roots['avss']), size=96, frames_per_clip=1,
                              augment=dict(hflip=True)), 'train'),
            'avss-eval': (dict(kind='avsbench-semantic', root=str(roots['avss']), size=224), 'val'),
            's4-cpu': (dict(kind='avsbench-object', subset='s4', root=str(roots['s4']), size=96, frames_per_clip=1,
                            augment=dict(hflip=True)), 'train')}


def has_cache(kind:str) -> bool:
    return 'cache' in inspect.signature(DATASETS[kind]).parameters


def rate(ds, workers:int, seconds:float, batch:int=16) -> tuple:
    "(samples/s, samples) over at least `seconds` (whole passes over the dataset, restarted as needed)."
    dl = DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers, collate_fn=collate,
                    generator=torch.Generator().manual_seed(0), persistent_workers=workers > 0)
    it = iter(dl); next(it)                                  # warm-up (and worker start)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        try: b = next(it)
        except StopIteration: it = iter(dl); continue
        n += b['frames'].shape[0]
    return n / (time.perf_counter() - t0), n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--folder', default='/tmp/avsnb_bench', help='where the fixture trees (and caches) are written')
    ap.add_argument('--clips', type=int, default=32, help='training clips per tree')
    ap.add_argument('--seconds', type=float, default=10., help='time per measurement')
    ap.add_argument('--workers', type=int, nargs='+', default=[0], help='DataLoader worker counts to measure')
    ap.add_argument('--only', nargs='+', default=None, help='loader names to run (default: all)')
    ap.add_argument('--json', default=None, help='also write the rows as JSON here')
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    folder = Path(a.folder); folder.mkdir(parents=True, exist_ok=True)
    roots = fixtures(folder, a.clips)
    rows = []
    print(f"{'loader':10} {'source':6} {'workers':>7} {'samples/s':>10} {'samples':>8} {'build s':>8}")
    for name, (cfg, split) in loaders(roots).items():
        if a.only and name not in a.only: continue
        sources = ['disk'] + (['cache'] if has_cache(cfg['kind']) else [])
        for src in sources:
            c, build = dict(cfg), None
            if src == 'cache':
                cdir = folder/'cache'
                shutil.rmtree(cdir, ignore_errors=True)
                c['cache'] = str(cdir)
                t0 = time.perf_counter(); ds = build_dataset(c, split); build = time.perf_counter() - t0
            else: ds = build_dataset(c, split)
            for w in a.workers:
                r, n = rate(ds, w, a.seconds)
                rows.append(dict(loader=name, source=src, workers=w, samples_per_s=round(r, 2), samples=n,
                                 build_s=None if build is None else round(build, 2)))
                print(f"{name:10} {src:6} {w:>7} {r:>10.2f} {n:>8} {'' if build is None else f'{build:.1f}':>8}", flush=True)
    if a.json: Path(a.json).write_text(json.dumps(rows, indent=1))


if __name__ == '__main__': main()
