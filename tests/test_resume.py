"A run killed with SIGKILL mid-epoch resumes from its last atomic checkpoint and ends exactly where an uninterrupted run does."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import torch

SCRIPT = str(Path(__file__).with_name('_toy_train.py'))

def test_kill9_resume(tmp_path):
    straight = subprocess.run([sys.executable, SCRIPT, str(tmp_path/'a')], capture_output=True, text=True, timeout=600)
    assert straight.returncode == 0, straight.stderr
    ref = json.loads((tmp_path/'a'/'result.json').read_text())

    # same run, slowed down, killed (SIGKILL: no cleanup, no final save) once it is well into epoch 1
    proc = subprocess.Popen([sys.executable, SCRIPT, str(tmp_path/'b'), '--sleep', '0.3'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline:
        ck = tmp_path/'b'/'last.pt'
        if ck.exists():
            st = torch.load(ck, weights_only=True)     # atomic writes: a reader never sees half a checkpoint
            if st['iter'] >= 8: break
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL); proc.wait()
    st = torch.load(tmp_path/'b'/'last.pt', weights_only=True)
    assert 0 < st['step_in_epoch'] or st['epoch'] > 0, st['iter']
    assert not (tmp_path/'b'/'result.json').exists()
    assert st['iter'] < ref['iter'], 'the run finished before it was killed'

    resumed = subprocess.run([sys.executable, SCRIPT, str(tmp_path/'b'), '--resume'], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    got = json.loads((tmp_path/'b'/'result.json').read_text())
    assert got['iter'] == ref['iter']
    assert got['checksum'] == ref['checksum'] and got['norm'] == ref['norm'], (got, ref)
    assert got['metrics'] == ref['metrics']
    # no temporary files left behind by the atomic writer
    assert not [p for p in (tmp_path/'b').iterdir() if '.tmp' in p.name]
