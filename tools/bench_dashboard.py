#!/usr/bin/env python
"""What the live dashboard (`avsnb.dashboard.DashboardCB`) costs a training run.

    python tools/bench_dashboard.py                          # 40 steps, every=20, 4 clips in the panel, 1 CPU thread
    python tools/bench_dashboard.py --steps 60 --no-limits   # redraw at every `every` steps, no rate limit / budget

Trains the tiny TPAVI model (backbone 'tiny', audio 'cnn', 16 channels, 9 classes) with cross-entropy on a temporary
synthetic build (96 px, 5 frames) for a fixed number of steps, with a validation pass (and its metrics) every 20 steps,
once without and once with the dashboard (forced widget mode, not displayed: the curves and the clip panel are drawn
and encoded exactly as in a notebook). Both runs start from the same seed and see the same batches. Reported:
the mean training-step time (before_batch → after_batch, so it includes the dashboard's per-step work), the fit's wall
time (which also includes the panel's predictions and the redraws at evaluations), and the dashboard's own timer
(`cb.overhead_s`, with `cb.setup_s`: matplotlib/ipywidgets imports, clip loading, first prediction). On a shared
machine wall times swing with other people's load; the process's CPU times (`time.process_time`, one torch thread)
are steadier, so both are printed.
"""
import argparse, json, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from avsnb.backbones import build_model
from avsnb.core import seed_everything
from avsnb.dashboard import DashboardCB
from avsnb.learner import Callback, Learner, MetricsCB, make_loader
from avsnb.losses import frame_targets, seg_loss
from avsnb.metrics import get_protocol
from avsnb.synthetic import build_synthetic
from avsnb.vpo import VPODataset


class _Start(Callback):
    order = -100
    def __init__(self): self.t = self.c = None
    def before_batch(self, learn): self.t, self.c = time.perf_counter(), time.process_time()

class _End(Callback):
    order = 100
    def __init__(self, start): self.start, self.times, self.cpu = start, [], []
    def after_batch(self, learn):
        if learn.training:
            self.times.append(time.perf_counter() - self.start.t); self.cpu.append(time.process_time() - self.start.c)


def ce(out, batch): return seg_loss(out['logits'], frame_targets(batch))


def run(train_ds, valid_ds, args, dash=None):
    "One fit of `args.steps` steps; returns (step wall times, step CPU times, fit wall s, fit CPU s)."
    seed_everything(0)
    model = build_model('tpavi', backbone='tiny', audio='cnn', num_classes=9, channels=16)
    s = _Start(); e = _End(s)
    cbs = [MetricsCB({'dataset-level': get_protocol('dataset-level', num_classes=9)}), s, e] + ([dash] if dash else [])
    learn = Learner(model, make_loader(train_ds, args.batch, seed=0), make_loader(valid_ds, args.batch, shuffle=False), ce,
                    lr=2e-3, cbs=cbs)
    t, c = time.perf_counter(), time.process_time()
    learn.fit(args.steps // args.per_epoch)
    return np.array(e.times), np.array(e.cpu), time.perf_counter() - t, time.process_time() - c


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--steps', type=int, default=40, help='training steps per run')
    p.add_argument('--per-epoch', type=int, default=20, help='steps per epoch (a validation pass after each)')
    p.add_argument('--valid', type=int, default=16, help='validation clips')
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--every', type=int, default=20, help="the dashboard's `every`")
    p.add_argument('--clips', type=int, default=4, help='clips in the panel')
    p.add_argument('--no-limits', action='store_true', help='min_interval=0, budget=None: redraw every `every` steps')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--json', default=None, help='also write the numbers here')
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    tmp = tempfile.mkdtemp()
    root = build_synthetic(tmp, size='cpu', n_train=a.per_epoch * a.batch, n_test=a.valid, variants=('ms',))
    train_ds, valid_ds = VPODataset(root, 'ms', 'train'), VPODataset(root, 'ms', 'test')

    base_t, base_c, base_fit, base_cfit = run(train_ds, valid_ds, a)
    kw = dict(min_interval=0, budget=None) if a.no_limits else {}
    cb = DashboardCB(clips=a.clips, every=a.every, mode='widgets', show=False, **kw)
    dash_t, dash_c, dash_fit, dash_cfit = run(train_ds, valid_ds, a, cb)

    res = dict(steps=a.steps, every=a.every, clips=a.clips, limits=not a.no_limits, threads=a.threads,
               step_s_without=float(base_t.mean()), step_s_with=float(dash_t.mean()),
               step_overhead_pct=100 * float(dash_t.mean() / base_t.mean() - 1),
               step_cpu_s_without=float(base_c.mean()), step_cpu_s_with=float(dash_c.mean()),
               step_cpu_overhead_pct=100 * float(dash_c.mean() / base_c.mean() - 1),
               fit_s_without=base_fit, fit_s_with=dash_fit, fit_overhead_pct=100 * (dash_fit / base_fit - 1),
               fit_cpu_s_without=base_cfit, fit_cpu_s_with=dash_cfit, fit_cpu_overhead_pct=100 * (dash_cfit / base_cfit - 1),
               cb_overhead_s=cb.overhead_s, cb_setup_s=cb.setup_s, cb_fit_s=cb.fit_s, cb_share_pct=100 * cb.overhead,
               cb_share_after_setup_pct=100 * (cb.overhead_s - cb.setup_s) / max(cb.fit_s - cb.setup_s, 1e-9),
               draws=cb.n_draws, skipped=cb.n_skipped, panel_updates=cb.n_panel)
    print(f"{a.steps} steps (validation of {a.valid} clips every {a.per_epoch}), batch {a.batch}, every={a.every}, {a.clips} clips, "
          f"{'rate limits on' if res['limits'] else 'no rate limits'}, {a.threads} thread(s)")
    print(f"step time   without {res['step_s_without']:.3f} s   with {res['step_s_with']:.3f} s   overhead {res['step_overhead_pct']:+.1f}%")
    print(f"step CPU    without {res['step_cpu_s_without']:.3f} s   with {res['step_cpu_s_with']:.3f} s   overhead {res['step_cpu_overhead_pct']:+.1f}%")
    print(f"fit time    without {base_fit:.1f} s   with {dash_fit:.1f} s   overhead {res['fit_overhead_pct']:+.1f}%")
    print(f"fit CPU     without {base_cfit:.1f} s   with {dash_cfit:.1f} s   overhead {res['fit_cpu_overhead_pct']:+.1f}%")
    print(f"cb.overhead_s {cb.overhead_s:.2f} s of {cb.fit_s:.1f} s ({res['cb_share_pct']:.1f}%); setup {cb.setup_s:.2f} s; "
          f"after setup {res['cb_share_after_setup_pct']:.1f}%; {cb.n_draws} curve redraws ({cb.n_skipped} skipped), "
          f"{cb.n_panel} panel updates")
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1))
    return res


if __name__ == '__main__': main()
