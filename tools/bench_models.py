#!/usr/bin/env python
"""Parameter counts and CPU forward+backward time per clip for TPAVI and CAVP with each backbone.

    python tools/bench_models.py                       # all models × backbones, T=5, 224², 1 timed run after a warm-up
    python tools/bench_models.py --models tpavi --backbones resnet50 tiny --reps 3 --threads 2

Big backbones are built with random weights (no weight files are needed or read). The audio encoder is VGGish (frozen,
as in the reference recipes) for the paper backbones and the small CNN for the CPU ones; parameter counts are given
without and with it. Timings are wall-clock seconds on whatever CPU runs this; on a shared machine they are noisy.
"""
from __future__ import annotations
import argparse, os, time

import torch
import torch.nn.functional as F

from avsnb.backbones import build_model, count_params
from avsnb.testing import toy_batch
from avsnb.losses import frame_targets, bce_loss, ce_loss, avm_loss, CAVPLoss, contrastive_pairs

REFERENCE = {('tpavi', 'resnet50'): '91.40 (68.16 run; 22.06 duplicate branch + 1.18 unused decoder unit never run)',
             ('tpavi', 'pvt_v2_b5'): '101.32 (100.14 run; 1.18 unused decoder unit)'}
PAPER_BACKBONES = ('resnet50', 'resnet50_deep', 'pvt_v2_b5')   # resnet50_deep: CAVP's deep-stem encoder (CAVP only)

def make(model:str, backbone:str):
    "A model in its paper configuration (VGGish) for paper backbones, or a CPU configuration (small CNN) otherwise."
    big = backbone in PAPER_BACKBONES
    kw = dict(backbone=backbone, audio='vggish' if big else 'cnn')
    if model == 'tpavi': kw |= dict(num_classes=1, channels=256 if big else 32)
    else: kw |= dict(num_classes=2, freeze_audio=False) if big else dict(num_classes=2, aspp_channels=32, low_channels=16, head_channels=32)
    return build_model(model, **kw)

def step(model_name, model, batch, crit):
    "One forward + backward with the model's training loss."
    if model_name == 'tpavi':
        out = model(batch)
        loss = bce_loss(out['logits'], frame_targets(batch)) + 0.5 * avm_loss(out)
    else:
        shuffled, match = contrastive_pairs(batch, 2)
        loss, _ = crit(model(batch, shuffled=shuffled), batch, match)
    loss.backward()
    model.zero_grad(set_to_none=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', nargs='+', default=['tpavi', 'cavp'])
    ap.add_argument('--backbones', nargs='+', default=['resnet50', 'resnet50_deep', 'pvt_v2_b5', 'resnet18', 'tiny'],
                    help="backbones to time; 'resnet50_deep' (CAVP's reference encoder) is skipped for TPAVI")
    ap.add_argument('--T', type=int, default=5, help='frames per clip')
    ap.add_argument('--size', type=int, default=224, help='frame height and width (divisible by 32)')
    ap.add_argument('--clips', type=int, default=1, help='clips per batch (time is reported per clip)')
    ap.add_argument('--reps', type=int, default=1, help='timed repetitions after one warm-up (the minimum is reported)')
    ap.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch\'s choice)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f'CPU threads {torch.get_num_threads()}, T={a.T}, {a.size}², {a.clips} clip(s) per batch, {a.reps} timed rep(s)')
    batch = toy_batch(B=max(a.clips, 2) if 'cavp' in a.models else a.clips, T=a.T, size=a.size)
    head = f"{'model':6s} {'backbone':10s} {'audio':7s} {'params M (no audio)':>20s} {'with audio':>11s} {'fwd+bwd s/clip':>15s}  reference (M, no VGGish)"
    print(head); print('-' * len(head))
    crit = CAVPLoss(weight=1.0, max_views=512)
    for m in a.models:
        for bb in a.backbones:
            if m == 'tpavi' and bb == 'resnet50_deep': continue
            model = make(m, bb).train()
            total = count_params(model); no_audio = total - count_params(model.audio)
            b = {k: (v[:a.clips] if torch.is_tensor(v) or isinstance(v, list) else v) for k, v in batch.items()} if m == 'tpavi' else batch
            n = b['frames'].shape[0]
            step(m, model, b, crit)                                  # warm-up (allocations, oneDNN primitives)
            times = []
            for _ in range(a.reps):
                t0 = time.perf_counter(); step(m, model, b, crit); times.append((time.perf_counter() - t0) / n)
            aud = 'vggish' if bb in PAPER_BACKBONES else 'cnn'
            print(f'{m:6s} {bb:10s} {aud:7s} {no_audio/1e6:20.2f} {total/1e6:11.2f} {min(times):15.2f}  {REFERENCE.get((m, bb), "")}', flush=True)
            del model

if __name__ == '__main__': main()
