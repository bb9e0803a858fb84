#!/usr/bin/env python
"""CPU time of one training step for every recipe's model: forward, the recipe's loss, backward, optimiser step.

    python tools/bench_steps.py                         # every recipe, its batch (at most 4 clips) per timed step, after a warm-up
    python tools/bench_steps.py --recipes tpavi-s4 tpavi-synthetic --clips 2 --reps 3 --threads 2

Each recipe's model, loss, optimiser (with its parameter groups) and input shape (frames per clip, crop or frame size)
are built the way `avsnb train` builds them; the batch is `toy_batch` data of that shape, so no dataset or weight file
is needed (models start from random weights; VGGish stays frozen as in the recipes). The step is timed on the
recipe's own batch size, or on `--max-clips` clips when the batch is larger, and reported per clip and per step (scaled
to the recipe's batch when it was capped: for the big models a CPU step grows linearly with the clips; for the tiny
CPU models it does not, so they are timed at their full batch). Wall-clock seconds on this machine; noisy on a shared one.
"""
from __future__ import annotations
import argparse, time

import torch

from avsnb.testing import toy_batch
from avsnb.losses import contrastive_pairs
from avsnb.recipes import RECIPES
from avsnb.train import recipe_parts, make_optimizer, param_groups

NUM_CLASSES = {'synthetic': 9, 'vpo': 22, 'avsbench-semantic': 71}

def recipe_input(r) -> tuple[int, int, int]:
    "(classes K, frames per clip T, frame size) a training step of recipe `r` sees."
    d = r.data
    K = r.model.get('num_classes') or NUM_CLASSES.get(d['kind'], 2)
    T = d.get('frames_per_clip') or (1 if d['kind'] == 'vpo' else 10 if d['kind'] == 'avsbench-semantic' else 5)
    size = d.get('crop') or d.get('size') or 224
    return K, T, size

def bench(name:str, clips:int=1, reps:int=1) -> dict:
    "Time `reps` training steps of recipe `name` on `clips` clips (after one warm-up step); the minimum is kept."
    r = RECIPES[name].check()
    K, T, size = recipe_input(r)
    model, loss_fn, spec, _ = recipe_parts(r, K)
    model.train()
    opt = make_optimizer(spec, param_groups(model, spec))
    classes = ('background',) + tuple(f'c{i}' for i in range(1, max(K, 2)))
    batch = toy_batch(B=max(clips, 2) if 'contrastive' in r.loss.get('kind', '') else clips, T=T, size=size, classes=classes,
                      mel=r.model.get('audio') == 'vggish')
    if K == 1: batch['masks'] = (batch['masks'] > 0).long()
    def step():
        kw = {}
        if hasattr(loss_fn, 'cavp'):
            shuffled, loss_fn.match = contrastive_pairs(batch, K)
            kw = dict(shuffled=shuffled)
        out = model(batch, **kw)
        l = loss_fn(out, batch)['loss']
        l.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    step()
    times = []
    for _ in range(reps):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    n = batch['frames'].shape[0]
    per_clip = min(times) / n
    return dict(recipe=name, model=f"{r.model['name']} ({r.model.get('backbone')}, {r.model.get('audio')})", K=K, T=T, size=size,
                batch_size=r.batch_size, clips=n, s_per_clip=per_clip, s_per_step=per_clip * r.batch_size)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--recipes', nargs='+', default=sorted(RECIPES))
    ap.add_argument('--clips', type=int, default=0, help="clips in the timed step (0: the recipe's batch size, at most --max-clips)")
    ap.add_argument('--max-clips', type=int, default=4, help='with --clips 0: cap on the clips timed (big models scale linearly)')
    ap.add_argument('--reps', type=int, default=1, help='timed steps after one warm-up (the minimum is reported)')
    ap.add_argument('--threads', type=int, default=None, help='torch threads (default: torch’s choice)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads; time of one training step (forward, loss, backward, optimiser)')
    print('| recipe | model | K | T × size² | batch (timed) | s / clip | s / step |')
    print('|---|---|---|---|---|---|---|')
    for name in a.recipes:
        r = RECIPES[name]
        full = r.data['kind'] == 'synthetic'                     # the CPU recipes: time their whole batch
        b = bench(name, a.clips or (r.batch_size if full else min(r.batch_size, a.max_clips)), a.reps)
        print(f"| `{b['recipe']}` | {b['model']} | {b['K']} | {b['T']} × {b['size']}² | {b['batch_size']} ({b['clips']}) | {b['s_per_clip']:.3f} | {b['s_per_step']:.2f} |", flush=True)

if __name__ == '__main__': main()
