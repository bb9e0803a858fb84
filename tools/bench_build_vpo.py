#!/usr/bin/env python
"""Build speed of `avsnb build-vpo` (samples/s) on a generated COCO-format fixture and a sound table.

    python tools/bench_build_vpo.py                          # 300 images of 480x640, workers 0 and 2
    python tools/bench_build_vpo.py --images 100 --size 240,320 --workers 0 1 2 4 --json bench.json

The fixture (`avsnb.testing.write_coco_fixture`: filled polygons as COCO polygons / RLE, one crowd image;
`write_sound_fixture`: 4 s tone files at 22.05 kHz, half of them cut into 2 s segments, fixed splits) is written
once to a temporary folder and not timed. Each run builds ss, ms and msmi (stereo, 3 s sounds, JPEG frames) into a
fresh folder through `build_vpo_cli`, without the final check; the time covers reading the sources, planning,
rendering and writing (librosa's one-time import is done first and not timed). samples/s = samples written / seconds. A second line per run times `check_vpo` alone.
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--images', type=int, default=300, help='images in the COCO-format fixture')
    p.add_argument('--size', default='480,640', help='H,W of the smallest fixture image (sizes vary up to 1.5x)')
    p.add_argument('--workers', type=int, nargs='+', default=[0, 2], help='worker counts to time')
    p.add_argument('--json', default=None, help='also write the figures to this file')
    a = p.parse_args(argv)
    import torch; torch.set_num_threads(1)
    from avsnb.vpo_sources import build_vpo_cli
    from avsnb.testing import write_coco_fixture, write_sound_fixture
    from avsnb.vpo_load import check_vpo
    tmp = Path(tempfile.mkdtemp(prefix='bench_vpo_'))
    H, W = (int(x) for x in a.size.split(','))
    t0 = time.time()
    coco, _ = write_coco_fixture(tmp / 'coco', n=a.images, seed=0, size=(H, W), max_objects=5)
    snd = write_sound_fixture(tmp / 'sounds', files=30)
    (tmp / 'map.yaml').write_text('dog: bark\ncat: meow\ncar: engine\n')
    print(f'fixture: {a.images} images ≥{H}x{W}, {len(open(snd).readlines()) - 1} clips, written in {time.time() - t0:.1f} s (not timed)')
    print(f'machine: {os.cpu_count()} CPUs, shared with other jobs while measuring; torch threads 1 per process')
    from avsnb.audio import resample; import numpy as np
    t0 = time.time(); resample(np.zeros(800, np.float32), 8000); warm = time.time() - t0    # librosa's one-time import, not timed
    print(f'one-time import of the resampler (librosa): {warm:.1f} s, excluded from the figures below')
    rows = []
    for w in a.workers:
        out = tmp / f'out_w{w}'
        t0 = time.time()
        rc = build_vpo_cli(['--instances', str(coco), '--images', str(tmp / 'coco/images'), '--sounds', str(snd), '--class-map', str(tmp / 'map.yaml'),
                            '--variants', 'ss,ms,msmi', '--channels', '1,2', '--test-fraction', '0.3', '--out', str(out), '--workers', str(w),
                            '--batch-size', '8', '--no-progress', '--no-check'])
        secs = time.time() - t0
        meta = json.loads((out / 'build.json').read_text())
        n = sum(sum(v.values()) for v in meta['variants'].values())
        t1 = time.time(); rep = check_vpo(out); csecs = time.time() - t1
        rows.append(dict(workers=w, samples=n, images=a.images, seconds=round(secs, 2), samples_per_s=round(n / secs, 1),
                         check_seconds=round(csecs, 2), check_samples_per_s=round(n / csecs, 1), check_ok=rep.ok, rc=rc))
        print(f'workers {w}: {n} samples in {secs:.1f} s = {n / secs:.1f} samples/s; check_vpo {csecs:.1f} s = {n / csecs:.1f} samples/s (ok={rep.ok})')
    if a.json: Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == '__main__': sys.exit(main())
