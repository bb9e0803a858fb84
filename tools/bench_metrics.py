#!/usr/bin/env python
"""Throughput of every avsnb metric protocol at 224x224, next to the naive loops of the released AVSBench code.

    python tools/bench_metrics.py                     # best device, 4 clips x 5 frames per batch
    python tools/bench_metrics.py --device cpu --batches 5 --json bench.json

Each protocol is fed the same random batches (logits of a model's shape: K = 1 for the binary protocols and the
robustness FPR, K = 71 for AVSS and dataset-level); the time covers `update` on every batch and one `compute`, with the
logits already on the device. frames/s = frames fed / seconds. The naive rows are the reference's own algorithms,
written as loops: `Eval_Fmeasure` + `mask_iou` (a Python loop over frames and the 255 thresholds) and the AVSS
`_batch_miou_fscore` (a loop over frames with three `torch.histc` per frame).
"""
import argparse, json, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from avsnb.core import default_device
from avsnb.metrics import get_protocol

PROTOCOLS = ['avsbench-binary/reference(bs=4)', 'avsbench-binary/per-frame-maxF', 'avsbench-binary/dataset-maxF',
             'avsbench-binary/fixed-0.5', 'avss/reference', 'avss/corrected', 'dataset-level', 'robustness/silent']


def naive_binary(logits, masks):
    "The released S4/MS3 test step for one batch: mask_iou + Eval_Fmeasure (loops over frames and thresholds)."
    pred = logits[:, 0]
    g = masks.float()
    prob = torch.sigmoid(pred)
    p = (prob > 0.5).int()
    inter, union = (p * g).sum((1, 2)), torch.max(p, g).sum((1, 2))
    no = g.sum((1, 2)) == 0
    inter[no] = ((1 - g) * (1 - p)).sum((1, 2))[no]
    union[no] = g.shape[1] * g.shape[2]
    miou = (inter / (union + 1e-7)).sum() / g.shape[0]
    thr = torch.linspace(0, 1 - 1e-10, 255).to(prob.device)
    avg_f, n = 0.0, 0
    for i in range(g.shape[0]):
        if torch.mean(g[i]) == 0.0: continue
        prec, rec = torch.zeros(255, device=prob.device), torch.zeros(255, device=prob.device)
        for t in range(255):
            y = (prob[i] >= thr[t]).float()
            tp = (y * g[i]).sum()
            prec[t], rec[t] = tp / (y.sum() + 1e-20), tp / (g[i].sum() + 1e-20)
        f = 1.3 * prec * rec / (0.3 * prec + rec)
        f[f != f] = 0
        avg_f, n = avg_f + f, n + 1
    return miou.item(), (avg_f / n).max().item() if n else 0.0


def naive_avss(logits, target, K=71):
    "The released AVSS metric for one batch: per-frame torch.histc of intersection, prediction and GT."
    predict = torch.argmax(torch.softmax(logits, 1), 1) + 1
    target = target.float() + 1
    predict = predict.float() * (target > 0).float()
    inter = predict * (predict == target).float()
    ious, fs, cnt = torch.zeros(K), torch.zeros(K), torch.zeros(K)
    for i in range(target.shape[0]):
        ai = torch.histc(inter[i].cpu(), bins=K, min=1, max=K)
        ap = torch.histc(predict[i].cpu(), bins=K, min=1, max=K)
        al = torch.histc(target[i].cpu(), bins=K, min=1, max=K)
        au = ap + al - ai
        ious += ai / (2.220446049250313e-16 + au)
        cnt[torch.nonzero(au).squeeze(-1)] += 1
        p, r = ai / ap, ai / al
        f = 1.3 * p * r / (0.3 * p + r)
        f[torch.isnan(f)] = 0
        fs += f
    return ious, fs, cnt


def make_batches(n, frames, size, K, device, seed=0):
    "Random batches: objects (rectangles) in 7 of 8 frames, logits = noisy GT evidence."
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        m = torch.zeros(frames, size, size, dtype=torch.long)
        for f in range(frames):
            if f % 8 == 7: continue
            y, x = torch.randint(0, size // 2, (2,), generator=g).tolist()
            h, w = torch.randint(8, size // 2, (2,), generator=g).tolist()
            m[f, y:y+h, x:x+w] = int(torch.randint(1, K, (1,), generator=g)) if K > 2 else 1
        if K > 2:
            lg = torch.randn(frames, K, size, size, generator=g)
            lg.scatter_add_(1, m[:, None], torch.full((frames, 1, size, size), 2.5))
        else:
            lg = (m[:, None].float() * 2 - 1) * 1.5 + torch.randn(frames, 1, size, size, generator=g) * 2
        out.append((lg.to(device), m.to(device)))
    return out


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def timeit(fn, batches, device, repeats=1):
    "Best of `repeats` full passes over the batches, after one warm-up call."
    fn(*batches[0]); sync(device)
    best = float('inf')
    for _ in range(repeats):
        t = time.perf_counter()
        for lg, m in batches: fn(lg, m)
        sync(device)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default=None, help='cpu, cuda, mps (default: the best available)')
    ap.add_argument('--size', type=int, default=224, help='frame side in pixels')
    ap.add_argument('--clips', type=int, default=4, help='clips per batch')
    ap.add_argument('--T', type=int, default=5, help='frames per clip')
    ap.add_argument('--batches', type=int, default=10, help='timed batches per protocol')
    ap.add_argument('--naive-batches', type=int, default=2, help='timed batches for the naive loops (they are slow)')
    ap.add_argument('--repeats', type=int, default=3, help='best of this many passes')
    ap.add_argument('--json', default=None, help='also write the results here')
    a = ap.parse_args(argv)
    dev = default_device(a.device)
    N = a.clips * a.T
    print(f'device {dev}{" (" + torch.cuda.get_device_name(dev) + ")" if dev.type == "cuda" else ""}, torch {torch.__version__}, '
          f'{torch.get_num_threads()} CPU threads; batches of {a.clips} clips x {a.T} frames = {N} frames of {a.size}x{a.size}')
    data = {1: make_batches(a.batches, N, a.size, 2, dev), 71: make_batches(a.batches, N, a.size, 71, dev, seed=1)}
    rows = []
    for name in PROTOCOLS:
        K = 1 if name.startswith(('avsbench', 'robustness')) else 71
        bt = data[K]
        m = get_protocol(name)
        def step(lg, mk, m=m): m.update(lg, mk.view(a.clips, a.T, a.size, a.size))
        secs = timeit(step, bt, dev, a.repeats)
        t = time.perf_counter(); res = m.compute(); sync(dev); secs += time.perf_counter() - t
        rows.append(dict(protocol=name, frames_per_s=len(bt) * N / secs, ms_per_batch=1000 * secs / len(bt),
                         J=res.get('J'), F=res.get('F')))
    naive = [('naive loop: Eval_Fmeasure + mask_iou (reference S4/MS3)', naive_binary, data[1][:a.naive_batches]),
             ('naive loop: _batch_miou_fscore (reference AVSS)', naive_avss, data[71][:a.naive_batches])]
    for name, fn, bt in naive:
        secs = timeit(fn, bt, dev, 1)
        rows.append(dict(protocol=name, frames_per_s=len(bt) * N / secs, ms_per_batch=1000 * secs / len(bt)))
    w = max(len(r['protocol']) for r in rows)
    print(f'{"protocol":{w}s}  {"frames/s":>10s}  {"ms/batch":>9s}')
    for r in rows: print(f'{r["protocol"]:{w}s}  {r["frames_per_s"]:10.1f}  {r["ms_per_batch"]:9.2f}')
    ref, nf = rows[0]['frames_per_s'], rows[-2]['frames_per_s']
    print(f'avsbench-binary/reference(bs=4) is {ref / nf:.0f}x the naive per-threshold loop; '
          f'avss/reference is {rows[4]["frames_per_s"] / rows[-1]["frames_per_s"]:.0f}x the naive AVSS loop')
    if a.json:
        Path(a.json).write_text(json.dumps(dict(device=str(dev), size=a.size, frames_per_batch=N, torch=torch.__version__,
                                                rows=rows), indent=1))
    return rows


if __name__ == '__main__':
    main()
