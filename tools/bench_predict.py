#!/usr/bin/env python
"""End-to-end speed and peak memory of `avsnb predict` (decode → sound → model → masks PNG + overlay film + timeline).

Builds two films from the synthetic benchmark's test clips (H.264 + AAC, 320×240, `--fps` frames/s, default 1): 10 s and 10 min,
then runs `predict_video` on each in a fresh process per (model, film), so that each peak memory is that run's own.
Models have random weights (speed does not depend on them):
  demo       the `tpavi-synthetic` model (tiny backbone, small audio CNN, 32 channels) at 96²
  tpavi-r50  TPAVI with ResNet-50 and VGGish (the AVSBench S4 model) at 224²
  tpavi-pvt  TPAVI with PVT-v2-b5 and VGGish at 224²
Prints frames/s and peak resident memory (sampled during the run), and on CUDA the peak allocated GPU memory.

    python tools/bench_predict.py                                  # CPU, 2 threads: every model on 10 s, the demo model on 10 min
    python tools/bench_predict.py --long tpavi-r50 tpavi-pvt demo  # 10 min for those as well (slow on a CPU)
    python tools/bench_predict.py --device cuda --long demo tpavi-r50 tpavi-pvt
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path

MODELS = {'demo': ('tpavi-synthetic', {}, 96), 'tpavi-r50': ('tpavi-s4', {'model.backbone': 'resnet50'}, 224),
          'tpavi-pvt': ('tpavi-s4', {'model.backbone': 'pvt_v2_b5'}, 224)}

def make_films(folder:Path, fps:int) -> dict:
    "The 10 s and 10 min films (synthetic test clips, each 1 s frame repeated to `fps` frames/s)."
    from avsnb.synthetic import build_synthetic
    from avsnb.vpo import VPODataset
    from avsnb.predict import clips_to_video
    ds = VPODataset(build_synthetic(folder / 'syn', size='cpu', n_train=8, n_test=24, variants=('ms',)), 'ms', 'test')
    out = {}
    for name, n in (('10s', 2), ('10min', 120)):
        out[name] = clips_to_video(ds, folder / f'film_{name}.mp4', indices=[i % len(ds) for i in range(n)], repeat=fps, size=(240, 320))
    return out

def child(model_name:str, film:str, out:str, device:str, batch:int, threads:int):
    import torch
    torch.set_num_threads(threads)
    from avsnb.recipes import RECIPES
    from avsnb.train import recipe_model
    from avsnb.predict import predict_video
    rname, over, size = MODELS[model_name]
    r = RECIPES[rname].override(**over) if over else RECIPES[rname]
    torch.manual_seed(0)
    model = recipe_model(r, 9 if rname == 'tpavi-synthetic' else 1).eval()
    s = predict_video(model, film, out, recipe=r, size=size, device=device, batch=batch).run()
    print('RESULT ' + json.dumps({k: s[k] for k in ('frames_per_s', 'peak_rss_mb', 'cuda_peak_mb', 'wall_s', 'device', 'device_name', 'torch_threads')}
                                 | {'frames': s['output']['frames'], 'size': s['output']['size'], 'model_input': s['output']['model_input']}))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS), help='models to run on the 10 s film')
    p.add_argument('--long', nargs='*', default=['demo'], choices=list(MODELS), help='models to run on the 10 min film as well')
    p.add_argument('--device', default='cpu', help="'cpu', 'cuda' or 'mps'")
    p.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    p.add_argument('--batch', type=int, default=4, help='clips per forward pass')
    p.add_argument('--fps', type=int, default=1, help='frame rate of the films (each 1 s clip frame repeated)')
    p.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: return child(*a.child, a.device, a.batch, a.threads)
    with tempfile.TemporaryDirectory(prefix='bench-predict-') as tmp:
        tmp = Path(tmp); t0 = time.time()
        films = make_films(tmp, a.fps)
        print(f'films: 10 s and 10 min at {a.fps} fps, 320×240, H.264 + AAC ({time.time() - t0:.0f} s to write); device {a.device}, {a.threads} threads, batch {a.batch}')
        print(f"{'model':10} {'film':6} {'frames':>7} {'input':>6} {'frames/s':>9} {'peak RSS MB':>12} {'CUDA peak MB':>13} {'wall s':>7}")
        runs = [(m, '10s') for m in a.models] + [(m, '10min') for m in a.long]
        for m, f in runs:
            cmd = [sys.executable, __file__, '--child', m, str(films[f]), str(tmp / f'out_{m}_{f}'), '--device', a.device,
                   '--threads', str(a.threads), '--batch', str(a.batch)]
            r = subprocess.run(cmd, capture_output=True, text=True)
            line = next((l for l in r.stdout.splitlines() if l.startswith('RESULT ')), None)
            if line is None: print(f'{m:10} {f:6} failed:\n{r.stderr[-2000:]}'); continue
            s = json.loads(line[7:])
            cuda = f"{s['cuda_peak_mb']:.0f}" if s['cuda_peak_mb'] is not None else '-'
            print(f"{m:10} {f:6} {s['frames']:>7} {s['model_input']:>5}² {s['frames_per_s']:>9.1f} {s['peak_rss_mb']:>12.0f} {cuda:>13} {s['wall_s']:>7.1f}", flush=True)

if __name__ == '__main__': main()
