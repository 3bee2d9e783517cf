#!/usr/bin/python3
"""Generate tiny same-I/O test fixtures for the neural diarization runners.

Run by hand:  /usr/bin/python3 scripts/gen-diarization-fixtures.py
Writes tests/fixtures/diarization/: test WAVs, fp32 and int8 ONNX models with the
sherpa-onnx metadata keys, and reference outputs from PyTorch (plus, for int8, a
numpy emulation of onnxruntime dynamic quantization: DynamicQuantizeLinear uint8
activations x symmetric int8 weights, MatMulInteger, rescale).

These are TEST FIXTURES with fixed-seed random weights - never used at run time.

Models:
  * speaker embedding, sherpa "general" format (3D-Speaker / WeSpeaker exports):
    input  x f32[N, T, 80] (Kaldi fbank), output embedding f32[N, D];
    metadata framework, output_dim, sample_rate, normalize_samples, language,
    feature_normalize_type. Architecture stand-in: frame MLP -> mean+std pooling -> linear.
  * pyannote segmentation 3.0 format: input x f32[N, 1, S], output f32[N, F, 7]
    (log-softmax over the powerset classes); metadata sample_rate, window_size,
    receptive_field_size, receptive_field_shift, num_speakers, powerset_max_classes,
    num_classes, model_type. Same layer structure as pyannote's PyanNet (SincNet-shaped
    conv stack 251/10 + pool 3, 5 + pool 3, 5 + pool 3 -> BiLSTM -> linear -> classifier),
    tiny widths, so the receptive field (991 samples) and shift (270) are the real ones.
"""
import json
import math
import os
import struct
import wave

import numpy as np
import onnx
import onnx.numpy_helper
import onnx.helper
import onnx.checker
import torch
import torch.nn as nn
import torchaudio

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'diarization')
SR = 16000
torch.manual_seed(1234)
np.random.seed(1234)


def write_wav(path, x):
    q = np.clip(np.round(x * 32767), -32768, 32767).astype('<i2')
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(q.tobytes())
    return q.astype(np.float32) / 32768.0  # what a reader of the file sees


def test_signal(seconds, seed):
    rng = np.random.RandomState(seed)
    t = np.arange(int(seconds * SR)) / SR
    f0 = 140 + 40 * np.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * np.cumsum(f0) / SR
    x = sum((0.3 / k) * np.sin(k * phase) for k in range(1, 12))
    env = 0.5 + 0.5 * np.sin(2 * math.pi * 1.3 * t) ** 2
    return (0.5 * x * env + 0.01 * rng.randn(len(t))).astype(np.float32)


class Lin(nn.Module):
    """x @ W + b, exported as MatMul + Add (never Gemm), so dynamic quantization maps 1:1."""

    def __init__(self, i, o):
        super().__init__()
        self.w = nn.Parameter(torch.randn(i, o) / math.sqrt(i))
        self.b = nn.Parameter(torch.randn(o) * 0.1)
        self.quant = False

    def forward(self, x):
        if not self.quant:
            return torch.matmul(x, self.w) + self.b
        return torch.from_numpy(q_matmul(x.detach().numpy(), self.w.detach().numpy())) + self.b


def q_weight(w):
    scale = max(float(np.abs(w).max()), 1e-12) / 127.0
    return np.clip(np.rint(w / scale), -127, 127).astype(np.int8), np.float32(scale)


def q_matmul(x, w):
    """numpy reference of DynamicQuantizeLinear(x) -> MatMulInteger(xq, wq, zp, 0) -> * (sx * sw)."""
    x = x.astype(np.float32)
    lo = min(0.0, float(x.min()))
    hi = max(0.0, float(x.max()))
    sx = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
    zp = np.clip(np.rint(np.float32(0.0) - np.float32(lo) / sx), 0, 255)
    xq = np.clip(np.rint(x / sx) + zp, 0, 255)
    wq, sw = q_weight(w)
    acc = np.matmul(xq.astype(np.int64) - int(zp), wq.astype(np.int64))
    return (acc.astype(np.float32) * np.float32(sx * sw)).astype(np.float32)


class TinyEmbedding(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.fc1 = Lin(80, 32)
        self.fc2 = Lin(32, 32)
        self.out = Lin(64, dim)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        h = torch.relu(self.fc2(h))
        mean = h.mean(dim=1)
        std = torch.sqrt(((h - mean.unsqueeze(1)) ** 2).mean(dim=1) + 1e-5)
        return self.out(torch.cat([mean, std], dim=-1))


class TinyPyanNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.ModuleList([nn.Conv1d(1, 8, 251, stride=10), nn.Conv1d(8, 8, 5), nn.Conv1d(8, 8, 5)])
        self.pool = nn.MaxPool1d(3, 3)
        self.norm = nn.InstanceNorm1d(1, affine=True)
        self.lstm = nn.LSTM(8, 8, num_layers=1, bidirectional=True, batch_first=True)
        self.fc = Lin(16, 16)
        self.cls = Lin(16, 7)

    def forward(self, x):
        h = self.norm(x)
        for i, c in enumerate(self.conv):
            h = c(h)
            if i == 0:
                h = torch.abs(h)
            h = torch.nn.functional.leaky_relu(self.pool(h))
        h, _ = self.lstm(h.transpose(1, 2))
        h = torch.nn.functional.leaky_relu(self.fc(h))
        return torch.log_softmax(self.cls(h), dim=-1)


def set_meta(model, meta):
    del model.metadata_props[:]
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key = k
        p.value = str(v)


def quantize(model):
    """Replace every MatMul whose B is an initializer by the onnxruntime dynamic-quantization pattern."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes = []
    for n in g.node:
        if n.op_type != 'MatMul' or n.input[1] not in inits:
            new_nodes.append(n)
            continue
        w = onnx.numpy_helper.to_array(inits[n.input[1]])
        wq, sw = q_weight(w)
        base = n.input[1]
        g.initializer.extend([
            onnx.numpy_helper.from_array(wq, base + '_quantized'),
            onnx.numpy_helper.from_array(np.array(sw, dtype=np.float32), base + '_scale'),
            onnx.numpy_helper.from_array(np.array(0, dtype=np.int8), base + '_zero_point'),
        ])
        a = n.input[0]
        new_nodes += [
            onnx.helper.make_node('DynamicQuantizeLinear', [a], [a + '_q', a + '_s', a + '_zp'], name=n.name + '_dql'),
            onnx.helper.make_node('MatMulInteger', [a + '_q', base + '_quantized', a + '_zp', base + '_zero_point'], [n.output[0] + '_i32'], name=n.name + '_mmi'),
            onnx.helper.make_node('Cast', [n.output[0] + '_i32'], [n.output[0] + '_f'], to=onnx.TensorProto.FLOAT, name=n.name + '_cast'),
            onnx.helper.make_node('Mul', [a + '_s', base + '_scale'], [n.output[0] + '_sc'], name=n.name + '_scmul'),
            onnx.helper.make_node('Mul', [n.output[0] + '_f', n.output[0] + '_sc'], [n.output[0]], name=n.name + '_mul'),
        ]
    del g.node[:]
    g.node.extend(new_nodes)
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(model)
    return model


def export(module, args, path, in_names, out_names, dyn, meta):
    torch.onnx.export(module, args, path, input_names=in_names, output_names=out_names, dynamic_axes=dyn, opset_version=13, do_constant_folding=True)
    m = onnx.load(path)
    set_meta(m, meta)
    onnx.save(m, path)
    q = quantize(onnx.load(path))
    set_meta(q, meta)
    onnx.save(q, path.replace('.onnx', '.int8.onnx'))


def fbank(samples, normalize_samples):
    x = torch.from_numpy(samples).unsqueeze(0) * (1.0 if normalize_samples else 32768.0)
    return torchaudio.compliance.kaldi.fbank(x, num_mel_bins=80, frame_length=25, frame_shift=10, dither=0.0, snip_edges=False,
                                             low_freq=20, high_freq=-400, sample_frequency=SR, window_type='povey', energy_floor=0.0)


def set_quant(module, on):
    for m in module.modules():
        if isinstance(m, Lin):
            m.quant = on


def main():
    os.makedirs(OUT, exist_ok=True)
    ref = {}
    emb_audio = write_wav(os.path.join(OUT, 'embed-test.wav'), test_signal(2.0, 1))
    for flavour, meta in [
        ('3dspeaker', {'framework': '3d-speaker', 'output_dim': 16, 'sample_rate': SR, 'normalize_samples': 1, 'language': 'English', 'feature_normalize_type': 'global-mean'}),
        ('wespeaker', {'framework': 'wespeaker', 'output_dim': 16, 'sample_rate': SR, 'normalize_samples': 0, 'language': 'English'}),
    ]:
        net = TinyEmbedding(16).eval()
        feats = fbank(emb_audio, meta['normalize_samples'])
        if meta.get('feature_normalize_type') == 'global-mean':
            feats = feats - feats.mean(dim=0, keepdim=True)
        x = feats.unsqueeze(0)
        path = os.path.join(OUT, f'tiny-{flavour}-embedding.onnx')
        export(net, (x,), path, ['x'], ['embedding'], {'x': {0: 'N', 1: 'T'}, 'embedding': {0: 'N'}}, meta)
        with torch.no_grad():
            e32 = net(x)[0].numpy().tolist()
            set_quant(net, True)
            e8 = net(x)[0].numpy().tolist()
            set_quant(net, False)
        ref[flavour] = {'frames': int(feats.shape[0]), 'fbank_first5': feats[:5].numpy().round(6).tolist(),
                        'fbank_mean': feats.mean(dim=0).numpy().round(6).tolist(), 'embedding_fp32': e32, 'embedding_int8': e8}
    seg_audio = write_wav(os.path.join(OUT, 'segment-test.wav'), np.concatenate([test_signal(2.5, 2), 0.002 * np.random.RandomState(3).randn(SR).astype(np.float32), 0.7 * test_signal(1.5, 4)]))
    net = TinyPyanNet().eval()
    x = torch.from_numpy(seg_audio).view(1, 1, -1)
    meta = {'model_type': 'pyannote-segmentation-3.0', 'sample_rate': SR, 'window_size': len(seg_audio), 'receptive_field_size': 991,
            'receptive_field_shift': 270, 'num_speakers': 3, 'powerset_max_classes': 2, 'num_classes': 7}
    path = os.path.join(OUT, 'tiny-pyannote-segmentation.onnx')
    export(net, (x,), path, ['x'], ['y'], {'x': {0: 'N', 2: 'S'}, 'y': {0: 'N', 1: 'F'}}, meta)
    with torch.no_grad():
        y32 = net(x)[0].numpy()
        set_quant(net, True)
        y8 = net(x)[0].numpy()
        set_quant(net, False)
    ref['segmentation'] = {'frames': int(y32.shape[0]), 'logp_fp32': y32.round(6).tolist(), 'logp_int8': y8.round(6).tolist(),
                           'argmax_fp32': y32.argmax(-1).tolist(), 'argmax_int8': y8.argmax(-1).tolist()}
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(ref, f)
    for name in sorted(os.listdir(OUT)):
        print(f'{name}: {os.path.getsize(os.path.join(OUT, name))} bytes')


if __name__ == '__main__':
    main()
