"""A tiny training run for the process-boundary tests (resume after SIGKILL, torchrun DDP).

python tests/_toy_train.py OUT [--resume] [--sleep S] [--epochs N]
Prints the final weights' checksum and writes OUT/result.json.
"""
import argparse, json, time
from pathlib import Path
import torch
from torch import nn
from avsnb.core import make_sample, normalize_frames, BINARY_CLASSES, flat_frames, seed_everything
from avsnb.learner import (Learner, Callback, EpochCB, CheckpointCB, LoggerCB, DDPCB, MetricsCB, make_loader,
                           init_distributed, is_main_process)

def clip(i, T=2, H=16, W=16):
    g = torch.Generator().manual_seed(i)
    m = torch.zeros(T, H, W, dtype=torch.long); y, x = torch.randint(0, H - 6, (2,), generator=g); m[:, y:y+6, x:x+6] = 1
    rgb = 0.3 * torch.rand(T, 3, H, W, generator=g) + 0.6 * m[:, None].float()
    return make_sample(normalize_frames(rgb), m, BINARY_CLASSES, f'toy{i}', audio=torch.zeros(1, T * 1600))

class Augmented(torch.utils.data.Dataset):
    "Random brightness per item, so the test also covers augmentation randomness."
    def __init__(self, n): self.items = [clip(i) for i in range(n)]
    def __len__(self): return len(self.items)
    def __getitem__(self, i):
        s = dict(self.items[i]); s['frames'] = s['frames'] + 0.1 * torch.randn(1); return s

class Model(nn.Module):
    def __init__(self): super().__init__(); self.c1 = nn.Conv2d(3, 8, 3, padding=1); self.drop = nn.Dropout(0.2); self.c2 = nn.Conv2d(8, 1, 1)
    def forward(self, b): return {'logits': self.c2(self.drop(torch.relu(self.c1(flat_frames(b['frames'])))))}

def loss(out, b):
    m = flat_frames(b['masks']); k = m != 255
    return nn.functional.binary_cross_entropy_with_logits(out['logits'][:, 0][k], m[k].float())

class Slow(Callback):
    def __init__(self, s): self.s = s
    def after_batch(self, learn):
        if learn.training: time.sleep(self.s)

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('out'); p.add_argument('--resume', action='store_true'); p.add_argument('--sleep', type=float, default=0)
    p.add_argument('--epochs', type=int, default=3); p.add_argument('--eval-only', action='store_true')
    a = p.parse_args()
    rank, world, dev = init_distributed()
    seed_everything(0)
    model = Model()
    train = make_loader(Augmented(24), batch_size=4, seed=5)
    valid = make_loader([clip(100 + i) for i in range(10)], batch_size=3, shuffle=False)
    cbs = [EpochCB(), DDPCB(), CheckpointCB(a.out, every=1, resume=a.resume, info=dict(recipe='toy')), LoggerCB(a.out, every=1)]
    from avsnb.metrics import DatasetLevel
    cbs.append(MetricsCB({'dataset': DatasetLevel(num_classes=2)}))
    if a.sleep: cbs.append(Slow(a.sleep))
    learn = Learner(model, train, valid, loss, lr=0.05, cbs=cbs)
    learn.fit(0 if a.eval_only else a.epochs)
    if a.eval_only: learn.fit(1, train=False)
    w = torch.cat([p.detach().flatten() for p in (learn.model.module if hasattr(learn.model, 'module') else learn.model).parameters()])
    res = dict(checksum=float(w.double().sum()), norm=float(w.double().norm()), iter=learn.iter, metrics=getattr(learn, 'metrics', {}), world=world)
    if is_main_process(): Path(a.out, 'result.json').write_text(json.dumps(res))
    print(json.dumps(res))
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():   # leave the process group cleanly (no teardown race at exit)
        dist.barrier(); dist.destroy_process_group()
