"torchrun with 2 CPU processes (gloo): metrics merged across ranks equal a 1-process run's; DDP training runs, rank 0 saves."
import json, os, subprocess, sys
from pathlib import Path

SCRIPT = str(Path(__file__).with_name('_toy_train.py'))
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def _torchrun(n, *args, timeout=600):
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={n}', SCRIPT, *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    return r

def test_ddp_eval_matches_single_process(tmp_path):
    one = subprocess.run([sys.executable, SCRIPT, str(tmp_path/'one'), '--eval-only'], capture_output=True, text=True, timeout=600, env=ENV)
    assert one.returncode == 0, one.stderr[-3000:]
    _torchrun(2, str(tmp_path/'two'), '--eval-only')
    a, b = (json.loads((tmp_path/d/'result.json').read_text()) for d in ('one', 'two'))
    assert b['world'] == 2 and a['world'] == 1
    assert a['metrics'] and a['metrics'] == b['metrics'], (a['metrics'], b['metrics'])

def test_ddp_training_runs(tmp_path):
    _torchrun(2, str(tmp_path/'t'), '--epochs', '2')
    res = json.loads((tmp_path/'t'/'result.json').read_text())
    assert res['world'] == 2 and res['iter'] == 2 * 3        # 24 clips / 2 ranks / batch 4 = 3 steps per epoch
    assert (tmp_path/'t'/'last.pt').exists()
    logs = [json.loads(l) for l in (tmp_path/'t'/'log.jsonl').read_text().splitlines()]
    assert sum(l['kind'] == 'epoch' for l in logs) == 2       # rank 0 only: one line per epoch, not two
