"""Bad input and faults, tried as a user would: the `avsnb` command in a subprocess (and the loaders' API where a file
is bad). Every expected failure must end in at most two lines on stderr that name the file or setting, with the exit
code documented in nbs/09_cli.ipynb, no traceback, and never a suggestion to load unsafely. The table of every case and
how it ended is written to reports/bad_input.md."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = []
TINY = ['--data.n_train', '8', '--data.n_test', '4', '--data.size', '32', '--model.channels', '8', '--model.backbone', 'tiny',
        '--model.audio', 'cnn', '--epochs', '1', '--batch_size', '4', '--no-progress', '--no-tensorboard']

def avsnb(*args, timeout=600, **kw):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'AVSNB_DEBUG': ''}
    return subprocess.run([sys.executable, '-m', 'avsnb.cli', *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env, **kw)

def expect(case, r, code, *needles):
    "Record the case; assert its exit code, a short stderr naming what is wrong, no traceback, no unsafe advice."
    err = r.stderr.strip()
    RESULTS.append((case, r.returncode, (err.splitlines() or [''])[-1][:150]))
    assert r.returncode == code, (case, r.returncode, err[-2000:])
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith(('splits:', 'avsnb check-data: warning'))]
    assert len(lines) <= 2, (case, err)
    assert 'Traceback' not in err and 'weights_only=False' not in err, (case, err)
    for n in needles: assert n in err, (case, n, err)

def api(case, fn, *needles):
    "A loader call that must raise AVSDataError naming the file."
    from avsnb.core import AVSDataError
    with pytest.raises(AVSDataError) as e: fn()
    msg = str(e.value); RESULTS.append((case, 'AVSDataError', msg[:150]))
    for n in needles: assert n in msg, (case, n, msg)

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    "A finished tiny training run (its folder, data root and checkpoint)."
    d = tmp_path_factory.mktemp('bad')
    r = avsnb('train', 'tpavi-synthetic', '--out', d/'run', '--data.root', d/'syn', *TINY)
    assert r.returncode == 0, r.stderr[-3000:]
    return d

@pytest.fixture(scope='module', autouse=True)
def table():
    yield
    out = ROOT/'reports'/'bad_input.md'; out.parent.mkdir(exist_ok=True)
    rows = ['| case | exit / outcome | last line |', '|---|---|---|'] + [f'| {c} | {k} | `{m}` |' for c, k, m in RESULTS]
    out.write_text(f'# Bad input: {len(RESULTS)} cases\n\n' + '\n'.join(rows) + '\n')

# --- settings and options ------------------------------------------------------------------------------------------
def test_settings(run):
    d = run
    expect('train: unknown override', avsnb('train', 'tpavi-synthetic', '--optim.lrr', '1'), 2, "'optim.lrr'", 'optim.lr')
    expect('train: wrong type', avsnb('train', 'tpavi-synthetic', '--epochs', 'abc'), 2, "'epochs' must be int")
    expect('train: batch size 0', avsnb('train', 'tpavi-synthetic', '--batch_size', '0'), 2, 'batch_size')
    expect('train: unknown recipe', avsnb('train', 'tpavi-synthetc'), 2, 'tpavi-synthetic')
    expect('train: typo in a data key', avsnb('train', 'tpavi-avss', '--data.chanels', '2'), 2, "'data.chanels'", 'data.channels')
    expect('demo: unknown option', avsnb('demo', '--epoch', '2'), 2, "'epoch'", 'epochs')
    expect('demo: unknown recipe', avsnb('demo', '--recipe', 'nope'), 2, "'nope'")
    expect('unknown command', avsnb('trian'), 2, 'train')
    if not torch.cuda.is_available():
        expect('train: --device cuda without a GPU', avsnb('train', 'tpavi-synthetic', '--device', 'cuda'), 2, 'no CUDA GPU')
    expect('train: --workers -1', avsnb('train', 'tpavi-synthetic', '--workers', '-1'), 2, '--workers')
    expect('train: --change without --resume', avsnb('train', 'tpavi-synthetic', '--change', 'epochs'), 2, '--resume')
    expect('build-vpo: --n-train -5', avsnb('build-vpo', '--synthetic', '--n-train', '-5', '--out', d/'bv'), 2, '--n-train')

# --- data ------------------------------------------------------------------------------------------------------------
def test_data_errors(run, tmp_path):
    d = run
    expect('train: missing data root', avsnb('train', 'tpavi-s4', '--data.root', tmp_path/'nope', '--out', tmp_path/'r'), 3, 'nope')
    expect('check-data: missing root', avsnb('check-data', tmp_path/'nope', '--format', 's4'), 3, 'nope')
    expect('eval: mistyped data root', avsnb('eval', d/'run'/'last.pt', d/'syn_typo'), 3, 'syn_typo')
    assert not (d/'syn_typo').exists()                                        # nothing was built at the typo
    expect("eval: --split valid", avsnb('eval', d/'run'/'last.pt', d/'syn', '--split', 'valid'), 2, "'valid'")
    expect('eval: unknown protocol', avsnb('eval', d/'run'/'last.pt', d/'syn', '--protocols', 'dataset-levle'), 2, 'dataset-level')

def test_loaders(tmp_path):
    import pandas as pd
    from avsnb.avsbench import AVSBenchObject
    from avsnb.avsbench_semantic import AVSBenchSemantic
    from avsnb.vpo_load import ReleasedVPODataset, VPODataset
    from avsnb.testing import write_s4_fixture, write_avss_fixture, write_vpo_fixture
    from avsnb.synthetic import build_synthetic
    s4 = write_s4_fixture(tmp_path/'a'/'Single-source', clips=2, hw=(32, 32), pkl=False); csv = next(s4.glob('*.csv'))
    df = pd.read_csv(csv); df.drop(columns=['category']).to_csv(csv, index=False)
    api('S4 CSV without its category column', lambda: AVSBenchObject(tmp_path/'a', 's4', 'train'), 'category', csv.name)
    s4 = write_s4_fixture(tmp_path/'b'/'Single-source', clips=2, hw=(32, 32), pkl=False); csv = next(s4.glob('*.csv'))
    df = pd.read_csv(csv); df.loc[0, 'name'] = '../../x'; df.to_csv(csv, index=False)
    api('S4 clip name leaving the root', lambda: AVSBenchObject(tmp_path/'b', 's4', df.loc[0, 'split']), 'not a plain name', csv.name)
    av = write_avss_fixture(tmp_path/'avss'); m = pd.read_csv(av/'metadata.csv'); m.loc[0, 'uid'] = '../x'; m.to_csv(av/'metadata.csv', index=False)
    api('AVSS uid leaving the root', lambda: AVSBenchSemantic(av, m.loc[0, 'split']), 'not a plain name', 'metadata.csv')
    v = write_vpo_fixture(tmp_path/'vpo'); w = sorted(v.rglob('*.wav'))[0]; w.write_bytes(w.read_bytes()[:60])
    def read_all():
        for var in ('ss', 'ms', 'msmi'):
            for sp in ('train', 'test'):
                ds = ReleasedVPODataset(v, var, sp)
                for i in range(len(ds)): ds[i]
    api('released VPO: truncated WAV', read_all, 'truncated WAV', w.name)
    syn = build_synthetic(tmp_path/'syn', size=32, n_train=2, n_test=2, variants=('ms',))
    a = next((syn/'ms'/'audio').glob('*.wav'))
    import soundfile as sf
    x, sr = sf.read(a); sf.write(a, x[:800], sr)                              # 0.05 s for a 5-frame clip
    sid = a.stem
    def read_short():
        ds = VPODataset(syn, 'ms', 'train')
        for i in range(len(ds)):
            if ds.row(i)['sample_id'] == sid: ds[i]
        ds = VPODataset(syn, 'ms', 'test')
        for i in range(len(ds)):
            if ds.row(i)['sample_id'] == sid: ds[i]
    api('built VPO: 0.05 s of sound for a 5-frame clip', read_short, 'of sound for a 5-frame clip', a.name)
    from PIL import Image
    img = next((syn/'images').iterdir()); f0 = sorted(img.glob('[0-9].*'))[1]; Image.new('RGB', (20, 20)).save(f0)
    def read_mixed():
        for sp in ('train', 'test'):
            ds = VPODataset(syn, 'ms', sp)
            for i in range(len(ds)):
                if ds.row(i)['image_id'] == img.name: ds[i]
    api('built VPO: mixed frame sizes', read_mixed, 'differ in size')
    (syn/'build.json').write_text('{not json')
    api('built VPO: corrupt build.json', lambda: VPODataset(syn, 'ms', 'train'), 'build.json', 'unreadable JSON')

# --- checkpoints ------------------------------------------------------------------------------------------------------
def test_checkpoints(run, tmp_path):
    d = run; last = d/'run'/'last.pt'
    expect('eval: missing checkpoint', avsnb('eval', tmp_path/'none.pt'), 4, 'none.pt', 'no such file')
    (tmp_path/'trunc.pt').write_bytes(last.read_bytes()[:300])
    expect('eval: truncated checkpoint', avsnb('eval', tmp_path/'trunc.pt'), 4, 'trunc.pt', 'unreadable')
    (tmp_path/'junk.pt').write_bytes(b'not a checkpoint at all')
    expect('eval: not a checkpoint', avsnb('eval', tmp_path/'junk.pt'), 4, 'junk.pt')
    torch.save({'w': torch.zeros(2)}, tmp_path/'bare.pt')
    expect('eval: a bare state dict', avsnb('eval', tmp_path/'bare.pt'), 4, 'bare.pt')
    class Evil:
        def __reduce__(self): return (os.system, ('echo pwned',))
    torch.save({'model': Evil()}, tmp_path/'evil.pt')
    r = avsnb('eval', tmp_path/'evil.pt'); expect('eval: a malicious pickle', r, 4, 'evil.pt', 'refused')
    assert 'pwned' not in r.stdout
    expect('predict: missing checkpoint', avsnb('predict', tmp_path/'v.mp4', '--checkpoint', tmp_path/'none.pt', '--out', tmp_path/'p'), 4, 'none.pt')

def test_disk_full_leaves_nothing(tmp_path, monkeypatch):
    import errno
    from avsnb.learner import atomic_save, CheckpointError
    def full(obj, f): f.write(b'x' * 10); raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(torch, 'save', full)
    with pytest.raises(CheckpointError) as e: atomic_save({'a': 1}, tmp_path/'last.pt')
    RESULTS.append(('disk full while saving a checkpoint', 'CheckpointError', str(e.value)[:150]))
    assert 'disk is full' in str(e.value) and list(tmp_path.iterdir()) == []

# --- run folders ------------------------------------------------------------------------------------------------------
def test_run_folders(run, tmp_path):
    d = run
    f = tmp_path/'a_file'; f.write_text('x')
    expect('train: --out under a file', avsnb('train', 'tpavi-synthetic', '--out', f/'run', '--data.root', d/'syn', *TINY), 5, 'a_file')
    expect('train: re-run into a finished folder', avsnb('train', 'tpavi-synthetic', '--out', d/'run', '--data.root', d/'syn', *TINY), 5,
           'holds a run already')
    (tmp_path/'busy').mkdir(); (tmp_path/'busy'/'.lock').write_text(str(os.getppid()))
    expect('train: a busy folder', avsnb('train', 'tpavi-synthetic', '--out', tmp_path/'busy', '--data.root', d/'syn', *TINY), 5,
           f'pid {os.getppid()}')
    before = (d/'run'/'recipe.json').read_text()
    expect("train: --resume into another recipe's folder",
           avsnb('train', 'cavp-synthetic', '--out', d/'run', '--resume', '--data.root', d/'syn', '--epochs', '1'), 5, "'tpavi-synthetic'")
    assert (d/'run'/'recipe.json').read_text() == before                   # the other run's recipe is untouched
    expect('train: --resume with a changed setting',
           avsnb('train', 'tpavi-synthetic', '--out', d/'run', '--resume', '--data.root', d/'syn', *TINY[:-4], '--optim.lr', '0.01',
                 '--no-progress', '--no-tensorboard'), 5, 'optim.lr', '--change')
    expect('train: --resume with nothing to resume', avsnb('train', 'tpavi-synthetic', '--out', tmp_path/'empty', '--resume'), 5,
           'nothing to resume')

def _wait_for(pred, proc, secs=300):
    t0 = time.time()
    while not pred():
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.time() - t0 < secs, 'timed out'
        time.sleep(0.2)

def test_ctrl_c_saves_and_resumes(run, tmp_path):
    d, out = run, tmp_path/'cc'
    args = ['train', 'tpavi-synthetic', '--out', out, '--data.root', d/'syn2', '--data.n_train', '64', '--data.n_test', '4',
            '--data.size', '32', '--model.channels', '8', '--model.backbone', 'tiny', '--model.audio', 'cnn', '--epochs', '30',
            '--batch_size', '4', '--no-tensorboard', '--eval.save_every', '1000']
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    p = subprocess.Popen([sys.executable, '-m', 'avsnb.cli', *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (out/'log.jsonl').exists(), p)
    p.send_signal(signal.SIGINT); so, se = p.communicate(timeout=300)
    RESULTS.append(('Ctrl-C during training', p.returncode, (so.strip().splitlines() or [''])[-1][:150]))
    assert p.returncode == 130 and (out/'last.pt').exists() and '--resume' in so, (p.returncode, so[-1000:], se[-2000:])
    it = torch.load(out/'last.pt', weights_only=True)['iter']
    r = avsnb('train', *map(str, args[1:]), '--resume', '--no-progress')
    RESULTS.append(('… then --resume', r.returncode, 'finished'))
    assert r.returncode == 0, r.stderr[-2000:]
    ck = torch.load(out/'last.pt', weights_only=True)
    assert ck['epoch'] == 30 and ck['iter'] > it

def test_sigterm_stops_the_demo(run, tmp_path):
    "SIGTERM during the demo's training: last.pt saved, exit 143, and nothing half-trained is evaluated or reported."
    d, out = run, tmp_path/'demo'
    args = ['demo', '--recipe', 'tpavi-synthetic', '--out', out, '--n-show', '1', '--no-progress', '--data.root', d/'syn2', '--data.n_train', '64', '--data.n_test', '4',
            '--data.size', '32', '--model.channels', '8', '--model.backbone', 'tiny', '--model.audio', 'cnn', '--epochs', '30', '--batch_size', '4']
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    p = subprocess.Popen([sys.executable, '-m', 'avsnb.cli', *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (out/'run'/'log.jsonl').exists(), p)
    p.send_signal(signal.SIGTERM); so, se = p.communicate(timeout=300)
    RESULTS.append(('SIGTERM during the demo', p.returncode, (so.strip().splitlines() or [''])[-1][:150]))
    assert p.returncode == 143 and 'stopped by SIGTERM' in so and (out/'run'/'last.pt').exists(), (p.returncode, so[-1000:], se[-2000:])
    assert not (out/'metrics.json').exists() and not (out/'demo.mp4').exists()

def test_kill_9_in_a_later_epoch(run, tmp_path):
    "save_every larger than an epoch: last.pt still holds the last finished epoch, and the run resumes from it."
    d, out = run, tmp_path/'k9'
    args = ['train', 'tpavi-synthetic', '--out', out, '--data.root', d/'syn2', '--data.n_train', '64', '--data.n_test', '4',
            '--data.size', '32', '--model.channels', '8', '--model.backbone', 'tiny', '--model.audio', 'cnn', '--epochs', '30',
            '--batch_size', '4', '--no-tensorboard', '--no-progress', '--eval.save_every', '100000']
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    p = subprocess.Popen([sys.executable, '-m', 'avsnb.cli', *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    def in_third_epoch():   # two epochs logged and their checkpoint written (the epoch's log line comes before last.pt)
        f, ck = out/'log.jsonl', out/'last.pt'
        if not (f.exists() and ck.exists()) or sum('"epoch"' in l and '"train_loss"' in l for l in f.read_text().splitlines()) < 2: return False
        return torch.load(ck, weights_only=True)['epoch'] >= 2            # atomic_save: once written, always there and whole
    _wait_for(in_third_epoch, p)
    p.kill(); p.communicate(timeout=60)
    ck = torch.load(out/'last.pt', weights_only=True)
    RESULTS.append(('kill -9 in epoch 3 (save_every > an epoch)', -9, f"last.pt holds epoch {ck['epoch']}"))
    assert ck['epoch'] >= 2 and ck['step_in_epoch'] == 0, (ck['epoch'], ck['step_in_epoch'])
    r = avsnb('train', *map(str, args[1:]), '--resume')             # the stale lock of the killed run is taken over
    RESULTS.append(('… then --resume', r.returncode, 'finished'))
    assert r.returncode == 0, r.stderr[-2000:]
    assert torch.load(out/'last.pt', weights_only=True)['epoch'] == 30
