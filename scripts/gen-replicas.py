#!/usr/bin/python3
"""Full-size cost replicas of the ONNX speech models parley runs (BENCHMARK INPUT ONLY).

Run by hand, never at run time, and keep the output outside the repository:

    nice -n 10 /usr/bin/python3 scripts/gen-replicas.py /work/replicas [--only NAME,...] [--precision fp32|int8|both]

The compute cost of a network does not depend on its weight values, so each replica has the
real dimensions (widths, layer counts, heads, vocabularies, frame rates) of an upstream model
and the exact I/O signature, dtypes and metadata of its sherpa-onnx export, with fixed-seed
random weights. Their output is meaningless: they exist so that `npm run bench -- --only
replicas --replicas DIR` can measure load time, memory, real-time factor and latency at real
size. No manifest names them and every file carries the metadata key `parley_replica`, so the
service never loads one by default.

Replicas (dimensions from the upstream configs):
  whisper-tiny.en, whisper-base.en  openai/whisper ModelDimensions (sherpa-onnx export layout)
  moonshine-tiny                    Moonshine tiny: d 288, 6+6 layers, 8 heads, vocab 32768 (v1 four-file layout)
  zipformer-streaming-20m           icefall stateless7-streaming 20M: 5 stacks x 2 layers, d 256, attention 192,
                                    feed-forward 768, kernel 31, downsampling 1,2,4,8,2, vocab 500
  zipformer-offline                 icefall zipformer (2023-06, 65M): dims 192..512, layers 2,2,3,4,3,2,
                                    downsampling 1,2,4,8,4,2, vocab 500
  parakeet-tdt-0.6b                 NeMo FastConformer-TDT 0.6B v2: 24 layers, d 1024, ff 4096, 8 heads, kernel 9,
                                    128 mels, x8 dw-striding subsampling, LSTM 2x640, vocab 1024+blank, 5 durations
  campplus                          3D-Speaker CAM++ (VoxCeleb, 512-d embedding): FCM head + D-TDNN 12/24/16
INT8: the MatMul-only dynamic quantization rewrite of gen-whisper-fixtures.py (onnxruntime's
quantize_dynamic is not in Debian 12's python): convolutions stay fp32, as in the upstream
MatMul-only int8 exports. Decoders are made to never emit their end token (its output row is
zero), so the bench can force a realistic token count.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def load_module(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gw = load_module('genwhisper', 'gen-whisper-fixtures.py')
import gen_transducer_models as TM  # noqa: E402

REPLICA_TAG = 'random weights with real dimensions: benchmark input only, meaningless output'


def add_meta(path, meta):
    m = onnx.load(path, load_external_data=False)
    for k, v in {**meta, 'parley_replica': REPLICA_TAG}.items():
        m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=str(v)))
    onnx.save(m, path)


def export(module, args, path, inputs, outputs, axes, meta=None, large=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, opset_version=13,
                          dynamic_axes=axes, do_constant_folding=True)
    if not large:
        add_meta(path, meta or {})
    elif meta:
        m = onnx.load(path)
        for k, v in {**meta, 'parley_replica': REPLICA_TAG}.items():
            m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=str(v)))
        onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(path).replace('.onnx', '.weights'))


def quantize(path, large=False):
    dst = path.replace('.onnx', '.int8.onnx')
    gw.quantize_dynamic_int8(path, dst)
    return dst


def params(*mods):
    return int(sum(p.numel() for m in mods for p in m.parameters()))


# ----------------------------------------------------------------------------------- Whisper
WHISPER_DIMS = {
    'whisper-tiny.en': dict(n_mels=80, n_audio_ctx=1500, n_audio_state=384, n_audio_head=6, n_audio_layer=4,
                            n_vocab=51864, n_text_ctx=448, n_text_state=384, n_text_head=6, n_text_layer=4),
    'whisper-base.en': dict(n_mels=80, n_audio_ctx=1500, n_audio_state=512, n_audio_head=8, n_audio_layer=6,
                            n_vocab=51864, n_text_ctx=448, n_text_state=512, n_text_head=8, n_text_layer=6),
}


def whisper_meta(d):
    # English-only (".en") special tokens of openai/whisper's tokenizer.
    return {'model_type': 'whisper-replica', **d, 'sot_sequence': '50257', 'all_language_tokens': '', 'all_language_codes': '',
            'sot': 50257, 'sot_index': 0, 'eot': 50256, 'blank_id': 220, 'is_multilingual': 0, 'no_speech': 50361,
            'non_speech_tokens': '', 'transcribe': 50358, 'translate': 50357, 'sot_prev': 50360, 'sot_lm': 50359,
            'no_timestamps': 50362}


def build_whisper(name, out, precisions):
    d = WHISPER_DIMS[name]
    torch.manual_seed(0)
    m = gw.TinyWhisper(d).eval()
    with torch.no_grad():
        m.token_embedding.weight.normal_(0, 0.02)
        m.token_embedding.weight[50256].zero_()  # eot never wins: decodes run to the forced token count
    enc, dec = gw.EncoderExport(m).eval(), gw.DecoderExport(m).eval()
    prefix = name.replace('whisper-', '')
    mel = torch.zeros(1, d['n_mels'], 3000)
    files = {}
    ep, dp = os.path.join(out, f'{prefix}-encoder.onnx'), os.path.join(out, f'{prefix}-decoder.onnx')
    export(enc, (mel,), ep, ['mel'], ['n_layer_cross_k', 'n_layer_cross_v'],
           {'mel': {0: 'n_audio', 2: 'T'}, 'n_layer_cross_k': {1: 'n_audio', 2: 'T'}, 'n_layer_cross_v': {1: 'n_audio', 2: 'T'}},
           whisper_meta(d))
    with torch.no_grad():
        ck, cv = enc(torch.zeros(1, d['n_mels'], 200))
    L, C, S = d['n_text_layer'], d['n_text_ctx'], d['n_text_state']
    export(dec, (torch.tensor([[50257]]), torch.zeros(L, 1, C, S), torch.zeros(L, 1, C, S), ck, cv, torch.tensor([3])), dp,
           ['tokens', 'in_n_layer_self_k_cache', 'in_n_layer_self_v_cache', 'n_layer_cross_k', 'n_layer_cross_v', 'offset'],
           ['logits', 'out_n_layer_self_k_cache', 'out_n_layer_self_v_cache'],
           {'tokens': {0: 'n_audio', 1: 'n_tokens'}, 'in_n_layer_self_k_cache': {1: 'n_audio'}, 'in_n_layer_self_v_cache': {1: 'n_audio'},
            'n_layer_cross_k': {1: 'n_audio', 2: 'T'}, 'n_layer_cross_v': {1: 'n_audio', 2: 'T'}})
    tok = os.path.join(out, f'{prefix}-tokens.txt')
    import base64
    with open(tok, 'w') as f:
        for i in range(50256):
            f.write(f"{base64.b64encode(f' w{i}'.encode()).decode()} {i}\n")
    res = []
    for p in precisions:
        e, dd = (ep, dp) if p == 'fp32' else (quantize(ep), quantize(dp))
        res.append(dict(name=f'{name}-{p}', engine='whisper', precision=p, params=params(m),
                        files={'encoder': e, 'decoder': dd, 'tokens': tok}))
    return res


# --------------------------------------------------------------------------------- Moonshine
def build_moonshine(name, out, precisions):
    g = load_module('genmoonshine', 'gen-moonshine-fixtures.py')
    g.D, g.H, g.V, g.LAYERS, g.MAX_POS = 288, 8, 32768, 6, 256
    torch.manual_seed(0)
    m = g.Tiny().eval()
    m.enc = nn.ModuleList([g.EncLayer() for _ in range(6)])
    with torch.no_grad():
        m.head.weight[g.EOS].zero_()  # eos never wins
    pre, enc, unc, cac = g.Preprocess(m).eval(), g.Encode(m).eval(), g.Uncached(m).eval(), g.Cached(m).eval()
    a0 = torch.zeros(1, 16000)
    with torch.no_grad():
        f0 = pre(a0)
        e0 = enc(f0, torch.tensor([f0.shape[1]], dtype=torch.int32))
        u0 = unc(torch.tensor([[1]], dtype=torch.int32), e0, torch.tensor([1], dtype=torch.int32))
    p = {n: os.path.join(out, f'{n}.onnx') for n in ('preprocess', 'encode', 'uncached_decode', 'cached_decode')}
    export(pre, (a0,), p['preprocess'], ['audio'], ['features'], {'audio': {1: 'num_samples'}, 'features': {1: 'T'}})
    export(enc, (f0, torch.tensor([f0.shape[1]], dtype=torch.int32)), p['encode'], ['features', 'features_len'], ['encoder_out'],
           {'features': {1: 'T'}, 'encoder_out': {1: 'T'}})
    so, si = g.state_names('present'), g.state_names('past')
    export(unc, (torch.tensor([[1]], dtype=torch.int32), e0, torch.tensor([1], dtype=torch.int32)), p['uncached_decode'],
           ['tokens', 'encoder_out', 'seq_len'], ['logits'] + so, {'encoder_out': {1: 'T'}, **{n: {2: 'L' if 'self' in n else 'T'} for n in so}})
    export(cac, (torch.tensor([[5]], dtype=torch.int32), e0, torch.tensor([2], dtype=torch.int32), *u0[1:]), p['cached_decode'],
           ['tokens', 'encoder_out', 'seq_len'] + si, ['logits'] + so,
           {'encoder_out': {1: 'T'}, **{n: {2: 'L' if 'self' in n else 'T'} for n in si + so}})
    tok = os.path.join(out, 'tokens.txt')
    with open(tok, 'w', encoding='utf-8') as f:
        for i in range(32768):
            f.write(f'\u2581w{i}\t{i}\n')
    res = []
    for prec in precisions:
        q = {n: (f if prec == 'fp32' or n == 'preprocess' else quantize(f)) for n, f in p.items()}
        res.append(dict(name=f'{name}-{prec}', engine='moonshine', precision=prec, params=params(m),
                        files={'preprocess': q['preprocess'], 'encode': q['encode'], 'uncachedDecode': q['uncached_decode'],
                               'cachedDecode': q['cached_decode'], 'tokens': tok}))
    return res


# ------------------------------------------------------------------------- Zipformer blocks
class L3(nn.Linear):
    """nn.Linear applied to a [t, d] input as [1, t, d], so that it exports as MatMul + Add (as the
    upstream exports' batched linears do) rather than Gemm, which dynamic quantization skips."""

    def forward(self, x):
        return super().forward(x.unsqueeze(0))[0] if x.dim() == 2 else super().forward(x)


class FF(nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.a, self.b = L3(d, ff), L3(ff, d)

    def forward(self, x):
        return self.b(nn.functional.silu(self.a(x)))


class ConvModule(nn.Module):
    """Pointwise d -> 2d (GLU), depthwise kernel k (causal with a cache when streaming), pointwise d -> d."""

    def __init__(self, d, k):
        super().__init__()
        self.d, self.k = d, k
        self.pw1, self.pw2 = L3(d, 2 * d), L3(d, d)
        self.dw = nn.Parameter(torch.randn(d, 1, k) * 0.1)

    def forward(self, x, cache=None):  # x [t, d]
        y = nn.functional.glu(self.pw1(x), dim=-1).t().unsqueeze(0)  # [1, d, t]
        if cache is None:
            y = nn.functional.conv1d(y, self.dw, padding=self.k // 2, groups=self.d)
            return self.pw2(nn.functional.silu(y[0].t())), None
        full = torch.cat([cache, y], dim=2)
        y = nn.functional.conv1d(full, self.dw, groups=self.d)
        return self.pw2(nn.functional.silu(y[0].t())), full[:, :, -(self.k - 1):]


def upsample(z, ds):
    """Repeat each frame ds times ([t, d] -> [t*ds, d]) with Expand (torch 1.13 exports
    repeat_interleave as a Loop that breaks shape inference)."""
    return z.unsqueeze(1).expand(-1, ds, -1).reshape(-1, z.shape[-1])


def bias_norm(x, g):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-5) * g


class StreamLayerV1(nn.Module):
    """icefall pruned_transducer_stateless7_streaming ZipformerEncoderLayer at real size: three
    feed-forwards, pooling over cached frames, attention over the cached left context (values used
    twice), two causal conv modules; states cached_len/avg/key/val/val2/conv1/conv2."""

    def __init__(self, d, att, ff, k, heads, left):
        super().__init__()
        self.d, self.att, self.h, self.left = d, att, heads, left
        self.ff1, self.ff2, self.ff3 = FF(d, ff), FF(d, ff), FF(d, ff)
        self.pool = L3(d, d)
        self.in_proj = L3(d, 2 * att + att // 2)
        self.out1 = L3(att // 2, d)
        self.v2, self.out2 = L3(d, att // 2), L3(att // 2, d)
        self.conv1, self.conv2 = ConvModule(d, k), ConvModule(d, k)
        self.g = nn.Parameter(torch.ones(d))

    def forward(self, x, n, avg, key, val, val2, cc1, cc2):  # x [t, d]
        t = x.shape[0]
        x = x + self.ff1(x)
        new_avg = (avg[0] * n.float() + x.sum(0)) / (n.float() + t)
        x = x + self.pool(new_avg).unsqueeze(0)
        proj = self.in_proj(x)
        a, hv = self.att, self.att // 2
        q, k, v = proj[:, :a], proj[:, a:2 * a], proj[:, 2 * a:]
        keys = torch.cat([key[:, 0], k], 0)  # [L+t, att]
        vals = torch.cat([val[:, 0], v], 0)
        qh = q.reshape(t, self.h, a // self.h).permute(1, 0, 2)
        kh = keys.reshape(-1, self.h, a // self.h).permute(1, 2, 0)
        w = torch.softmax(torch.matmul(qh, kh) / math.sqrt(a // self.h), -1)  # [H, t, L+t]
        vh = vals.reshape(-1, self.h, hv // self.h).permute(1, 0, 2)
        x = x + self.out1(torch.matmul(w, vh).permute(1, 0, 2).reshape(t, hv))
        y, n1 = self.conv1(x, cc1)
        x = x + y
        x = x + self.ff2(x)
        vals2 = torch.cat([val2[:, 0], self.v2(x)], 0)
        vh2 = vals2.reshape(-1, self.h, hv // self.h).permute(1, 0, 2)
        x = x + self.out2(torch.matmul(w, vh2).permute(1, 0, 2).reshape(t, hv))
        y, n2 = self.conv2(x, cc2)
        x = bias_norm(x + y + self.ff3(x + y), self.g)
        L = self.left
        return x, n + t, new_avg.unsqueeze(0), keys[-L:].unsqueeze(1), vals[-L:].unsqueeze(1), vals2[-L:].unsqueeze(1), n1, n2


class ConvEmbed(nn.Module):
    """icefall Conv2dSubsampling (channels 8, 32, 128): T feature frames -> (T - 7) // 2 frames of d."""

    def __init__(self, d, feat=80):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=(0, 1))
        self.c2 = nn.Conv2d(8, 32, 3, stride=2)
        self.c3 = nn.Conv2d(32, 128, 3, stride=(1, 2))
        self.out = L3(128 * (((feat - 1) // 2 - 1) // 2), d)

    def forward(self, x):  # [1, T, 80] -> [T', d]
        y = nn.functional.silu(self.c1(x.unsqueeze(1)))
        y = nn.functional.silu(self.c2(y))
        y = nn.functional.silu(self.c3(y))  # [1, 128, T', 19]
        return self.out(y[0].permute(1, 0, 2).reshape(y.shape[2], -1))


ZF20 = dict(encoder_dims=[256] * 5, attention_dims=[192] * 5, feedforward_dims=[768] * 5, num_encoder_layers=[2] * 5,
            cnn_module_kernels=[31] * 5, zipformer_downsampling_factors=[1, 2, 4, 8, 2], left_context_len=[64, 32, 16, 8, 32],
            heads=4, T=39, decode_chunk_len=32, joiner_dim=512, decoder_dim=512, vocab=500)


class StreamingEncoder20M(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = ConvEmbed(c['encoder_dims'][0])
        self.stacks = nn.ModuleList([nn.ModuleList([
            StreamLayerV1(c['encoder_dims'][i], c['attention_dims'][i], c['feedforward_dims'][i], c['cnn_module_kernels'][i], c['heads'],
                          c['left_context_len'][i]) for _ in range(c['num_encoder_layers'][i])]) for i in range(5)])
        self.out = L3(c['encoder_dims'][-1], c['joiner_dim'])

    def forward(self, x, *states):
        ns = 5
        h = self.embed(x)  # [16, d] at 50 Hz for T = 39
        new = [[None] * ns for _ in range(7)]
        for i, layers in enumerate(self.stacks):
            ds = self.c['zipformer_downsampling_factors'][i]
            z = h.reshape(h.shape[0] // ds, ds, -1).mean(1)  # this stack's frame rate
            outs = [[] for _ in range(7)]
            for j, layer in enumerate(layers):
                r = layer(z, *[states[g * ns + i][j] for g in range(7)])
                z = r[0]
                for g in range(7):
                    outs[g].append(r[1 + g])
            for g in range(7):
                new[g][i] = torch.stack(outs[g], 0)
            h = h + upsample(z, ds)
        enc = self.out(h.reshape(h.shape[0] // 2, 2, -1).mean(1)).unsqueeze(0)  # [1, 8, J] at 25 Hz
        return (enc, *[new[g][i] for g in range(7) for i in range(ns)])

    def init_states(self):
        c, s = self.c, [[] for _ in range(7)]
        for i, d in enumerate(c['encoder_dims']):
            nl, L, a, k = c['num_encoder_layers'][i], c['left_context_len'][i], c['attention_dims'][i], c['cnn_module_kernels'][i]
            s[0].append(torch.zeros(nl, 1, dtype=torch.int64))
            s[1].append(torch.zeros(nl, 1, d))
            s[2].append(torch.zeros(nl, L, 1, a))
            s[3].append(torch.zeros(nl, L, 1, a // 2))
            s[4].append(torch.zeros(nl, L, 1, a // 2))
            s[5].append(torch.zeros(nl, 1, d, k - 1))
            s[6].append(torch.zeros(nl, 1, d, k - 1))
        return [t for g in s for t in g]

    def state_names(self):
        groups = ['cached_len', 'cached_avg', 'cached_key', 'cached_val', 'cached_val2', 'cached_conv1', 'cached_conv2']
        return [f'{g}_{i}' for g in groups for i in range(5)]


def decoder_joiner(out, c, precisions, meta_dec, res_fn):
    torch.manual_seed(1)
    dec = TM.StatelessDecoder(c['vocab'], c['decoder_dim'], 2, c['joiner_dim'])
    joi = TM.Joiner(c['joiner_dim'], c['vocab'], blank_bias=0.0)
    dp, jp = os.path.join(out, 'decoder.onnx'), os.path.join(out, 'joiner.onnx')
    export(dec, (torch.zeros(1, 2, dtype=torch.int64),), dp, ['y'], ['decoder_out'], {'y': {0: 'N'}, 'decoder_out': {0: 'N'}}, meta_dec)
    export(joi, (torch.zeros(1, c['joiner_dim']), torch.zeros(1, c['joiner_dim'])), jp, ['encoder_out', 'decoder_out'], ['logit'],
           {'encoder_out': {0: 'N'}, 'decoder_out': {0: 'N'}, 'logit': {0: 'N'}}, {'joiner_dim': c['joiner_dim']})
    return dec, joi, dp, jp


def build_zipformer_streaming(name, out, precisions):
    c = ZF20
    torch.manual_seed(0)
    enc = StreamingEncoder20M(c).eval()
    names = enc.state_names()
    meta = dict(model_type='zipformer', version='1', model_author='parley-replica', decode_chunk_len=c['decode_chunk_len'], T=c['T'],
                **{k: ','.join(map(str, c[k])) for k in ('num_encoder_layers', 'encoder_dims', 'attention_dims', 'cnn_module_kernels',
                                                         'left_context_len', 'zipformer_downsampling_factors')})
    ep = os.path.join(out, 'encoder.onnx')
    export(enc, (torch.zeros(1, c['T'], 80), *enc.init_states()), ep, ['x'] + names, ['encoder_out'] + ['new_' + n for n in names], None, meta)
    dec, joi, dp, jp = decoder_joiner(out, c, precisions, dict(context_size=2, vocab_size=c['vocab']), None)
    tok = write_bpe_tokens(out, c['vocab'])
    return [dict(name=f'{name}-{p}', engine='zipformer-streaming', precision=p, params=params(enc, dec, joi),
                 files={'encoder': ep if p == 'fp32' else quantize(ep), 'decoder': dp, 'joiner': jp if p == 'fp32' else quantize(jp), 'tokens': tok})
            for p in precisions]


def write_bpe_tokens(out, vocab):
    tok = os.path.join(out, 'tokens.txt')
    with open(tok, 'w', encoding='utf-8') as f:
        for i, t in enumerate(['<blk>', '<sos/eos>', '<unk>'] + [f'\u2581W{i}' for i in range(vocab - 3)]):
            f.write(f'{t} {i}\n')
    return tok


class Zip2Layer(nn.Module):
    """icefall zipformer2 Zipformer2EncoderLayer at real size (non-streaming): feed-forwards of
    3/4, 1 and 5/4 x ff, attention weights from (query_head_dim*2 + pos) x heads, two value passes
    (value_head_dim x heads), non-linear attention (3d/4), two conv modules."""

    def __init__(self, d, ff, heads, k, qd=32, vd=12, pd=4):
        super().__init__()
        self.h, self.qd, self.vd = heads, qd, vd
        self.ff1, self.ff2, self.ff3 = FF(d, ff * 3 // 4), FF(d, ff), FF(d, ff * 5 // 4)
        self.attn_in = L3(d, (2 * qd + pd) * heads)
        self.v1, self.o1 = L3(d, vd * heads), L3(vd * heads, d)
        self.v2, self.o2 = L3(d, vd * heads), L3(vd * heads, d)
        self.nl_in, self.nl_out = L3(d, 3 * d // 4 * 3), L3(3 * d // 4, d)
        self.conv1, self.conv2 = ConvModule(d, k), ConvModule(d, k)
        self.g = nn.Parameter(torch.ones(d))

    def forward(self, x):  # [t, d]
        t = x.shape[0]
        x = x + self.ff1(x)
        a = self.attn_in(x)
        q = a[:, :self.qd * self.h].reshape(t, self.h, self.qd).permute(1, 0, 2)
        k = a[:, self.qd * self.h:2 * self.qd * self.h].reshape(t, self.h, self.qd).permute(1, 2, 0)
        w = torch.softmax(torch.matmul(q, k) / math.sqrt(self.qd), -1)  # [H, t, t]
        nl = self.nl_in(x)
        s, xx, y = nl.chunk(3, dim=-1)
        x = x + self.nl_out(torch.matmul(w[0], torch.tanh(s) * xx) * y)
        x = x + self.o1(torch.matmul(w, self.v1(x).reshape(t, self.h, self.vd).permute(1, 0, 2)).permute(1, 0, 2).reshape(t, -1))
        x = x + self.conv1(x)[0]
        x = x + self.ff2(x)
        x = x + self.o2(torch.matmul(w, self.v2(x).reshape(t, self.h, self.vd).permute(1, 0, 2)).permute(1, 0, 2).reshape(t, -1))
        x = x + self.conv2(x)[0]
        return bias_norm(x + self.ff3(x), self.g)


ZF_OFF = dict(encoder_dims=[192, 256, 384, 512, 384, 256], num_encoder_layers=[2, 2, 3, 4, 3, 2],
              feedforward_dims=[512, 768, 1024, 1536, 1024, 768], heads=[4, 4, 4, 8, 4, 4], ds=[1, 2, 4, 8, 4, 2],
              kernels=[31, 31, 15, 15, 15, 31], joiner_dim=512, decoder_dim=512, vocab=500)


class OfflineZipformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = ConvEmbed(c['encoder_dims'][0])
        dims = c['encoder_dims']
        self.stacks = nn.ModuleList([nn.ModuleList([Zip2Layer(dims[i], c['feedforward_dims'][i], c['heads'][i], c['kernels'][i])
                                                    for _ in range(c['num_encoder_layers'][i])]) for i in range(6)])
        self.proj_in = nn.ModuleList([L3(max(dims), dims[i]) for i in range(6)])
        self.proj_out = nn.ModuleList([L3(dims[i], max(dims)) for i in range(6)])
        self.out = L3(max(dims), c['joiner_dim'])
        self.up = L3(dims[0], max(dims))

    def forward(self, x, x_lens):
        h = self.up(self.embed(x))  # [T', 512] at 50 Hz
        t = h.shape[0] // 16 * 16
        h = h[:t]
        for i, layers in enumerate(self.stacks):
            ds = self.c['ds'][i]
            z = self.proj_in[i](h.reshape(t // ds, ds, -1).mean(1))
            for layer in layers:
                z = layer(z)
            h = h + upsample(self.proj_out[i](z), ds)
        enc = self.out(h.reshape(t // 2, 2, -1).mean(1)).unsqueeze(0)
        return enc, (((x_lens - 7) // 2) // 16 * 16) // 2


def build_zipformer_offline(name, out, precisions):
    c = ZF_OFF
    torch.manual_seed(0)
    enc = OfflineZipformer(c).eval()
    ep = os.path.join(out, 'encoder.onnx')
    export(enc, (torch.zeros(1, 3000, 80), torch.tensor([3000])), ep, ['x', 'x_lens'], ['encoder_out', 'encoder_out_lens'],
           {'x': {0: 'N', 1: 'T'}, 'x_lens': {0: 'N'}, 'encoder_out': {0: 'N', 1: 'T_out'}, 'encoder_out_lens': {0: 'N'}},
           dict(model_type='zipformer2', version='1', model_author='parley-replica'))
    dec, joi, dp, jp = decoder_joiner(out, c, precisions, dict(context_size=2, vocab_size=c['vocab']), None)
    tok = write_bpe_tokens(out, c['vocab'])
    return [dict(name=f'{name}-{p}', engine='transducer-offline', precision=p, params=params(enc, dec, joi),
                 files={'encoder': ep if p == 'fp32' else quantize(ep), 'decoder': dp, 'joiner': jp if p == 'fp32' else quantize(jp), 'tokens': tok})
            for p in precisions]


# ---------------------------------------------------------------------------- Parakeet TDT
class ConformerLayer(nn.Module):
    """NeMo ConformerLayer (FastConformer, d 1024): macaron feed-forwards 4x, relative-position
    self-attention (q, k, v, out and linear_pos projections), conv module (pointwise 2d GLU,
    depthwise kernel 9, pointwise), layer norms."""

    def __init__(self, d=1024, heads=8, k=9):
        super().__init__()
        self.h, self.d = heads, d
        self.n1, self.n2, self.n3, self.n4, self.n5 = (nn.LayerNorm(d) for _ in range(5))
        self.ff1, self.ff2 = FF(d, 4 * d), FF(d, 4 * d)
        self.q, self.k, self.v, self.o, self.pos = (L3(d, d) for _ in range(5))
        self.conv = ConvModule(d, k)

    def forward(self, x, p):  # x [t, d], p [t, d] positional table
        t, hd = x.shape[0], self.d // self.h
        x = x + 0.5 * self.ff1(self.n1(x))
        y = self.n2(x)
        q = self.q(y).reshape(t, self.h, hd).permute(1, 0, 2)
        k = self.k(y).reshape(t, self.h, hd).permute(1, 2, 0)
        pp = self.pos(p).reshape(t, self.h, hd).permute(1, 2, 0)
        w = torch.softmax((torch.matmul(q, k) + torch.matmul(q, pp)) / math.sqrt(hd), -1)
        x = x + self.o(torch.matmul(w, self.v(y).reshape(t, self.h, hd).permute(1, 0, 2)).permute(1, 0, 2).reshape(t, self.d))
        x = x + self.conv(self.n3(x))[0]
        x = x + 0.5 * self.ff2(self.n4(x))
        return self.n5(x)


class ParakeetEncoder(nn.Module):
    def __init__(self, feat=128, d=1024, layers=24, ch=256):
        super().__init__()
        self.c1 = nn.Conv2d(1, ch, 3, stride=2, padding=1)
        self.dw2, self.pw2 = nn.Conv2d(ch, ch, 3, stride=2, padding=1, groups=ch), nn.Conv2d(ch, ch, 1)
        self.dw3, self.pw3 = nn.Conv2d(ch, ch, 3, stride=2, padding=1, groups=ch), nn.Conv2d(ch, ch, 1)
        self.lin = L3(ch * (feat // 8), d)
        self.layers = nn.ModuleList([ConformerLayer(d) for _ in range(layers)])
        self.register_buffer('pe', TM_sinusoids(4096, d))

    def forward(self, audio_signal, length):  # [1, F, T]
        x = audio_signal.transpose(1, 2).unsqueeze(1)  # [1, 1, T, F]
        x = torch.relu(self.c1(x))
        x = torch.relu(self.pw2(self.dw2(x)))
        x = torch.relu(self.pw3(self.dw3(x)))  # [1, ch, T/8, F/8]
        x = self.lin(x[0].permute(1, 0, 2).reshape(x.shape[2], -1))
        p = self.pe[: x.shape[0]]
        for layer in self.layers:
            x = layer(x, p)
        lens = length
        for _ in range(3):
            lens = torch.div(lens - 1, 2, rounding_mode='floor') + 1
        return x.t().unsqueeze(0), lens


def TM_sinusoids(n, d):
    pos = torch.arange(n).float()[:, None]
    inv = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2).float() / d)
    return torch.cat([torch.sin(pos * inv), torch.cos(pos * inv)], 1)


def build_parakeet(name, out, precisions):
    torch.manual_seed(0)
    enc = ParakeetEncoder().eval()
    vocab = 1024
    dec = TM.NemoDecoder(vocab + 1, 640, 2)
    joi = TM.NemoJoiner(1024, 640, 640, vocab + 1 + 5, blank_id=vocab, blank_bias=0.0)
    ep, dp, jp = (os.path.join(out, f'{n}.onnx') for n in ('encoder', 'decoder', 'joiner'))
    meta = dict(vocab_size=vocab, subsampling_factor=8, normalize_type='per_feature', pred_rnn_layers=2, pred_hidden=640, feat_dim=128,
                model_type='EncDecRNNTBPEModel', is_giga_am=0, model_author='parley-replica')
    export(enc, (torch.zeros(1, 128, 800), torch.tensor([800])), ep, ['audio_signal', 'length'], ['outputs', 'encoded_lengths'],
           {'audio_signal': {0: 'N', 2: 'T'}, 'length': {0: 'N'}, 'outputs': {0: 'N', 2: 'T_out'}, 'encoded_lengths': {0: 'N'}}, meta, large=True)
    z = torch.zeros(2, 1, 640)
    export(dec, (torch.zeros(1, 1, dtype=torch.int32), torch.ones(1, dtype=torch.int32), z, z), dp,
           ['targets', 'target_length', 'states.1', 'onnx::Slice_3'], ['outputs', 'prednet_lengths', 'states', 'c_out'], None, {})
    export(joi, (torch.zeros(1, 1024, 1), torch.zeros(1, 640, 1)), jp, ['encoder_outputs', 'decoder_outputs'], ['outputs'], None, {})
    tok = os.path.join(out, 'tokens.txt')
    with open(tok, 'w', encoding='utf-8') as f:
        for i, t in enumerate(['<unk>'] + [f'\u2581w{i}' for i in range(1, vocab)] + ['<blk>']):
            f.write(f'{t} {i}\n')
    res = []
    for p in precisions:
        files = {'encoder': ep, 'decoder': dp, 'joiner': jp, 'tokens': tok}
        if p == 'int8':
            files = {'encoder': quantize(ep, large=True), 'decoder': quantize(dp), 'joiner': quantize(jp), 'tokens': tok}
        res.append(dict(name=f'{name}-{p}', engine='transducer-offline', precision=p, params=params(enc, dec, joi), files=files))
    return res


# ----------------------------------------------------------------------------------- CAM++
class CamLayer(nn.Module):
    """CAMDenseTDNNLayer: BN-ReLU-1x1 (bottleneck 4 x growth), BN-ReLU, k3 TDNN with context-aware
    masking (global + segment mean -> 1x1 -> sigmoid)."""

    def __init__(self, cin, growth=32, bn=4, dil=1):
        super().__init__()
        self.b1, self.b2 = nn.BatchNorm1d(cin), nn.BatchNorm1d(bn * growth)
        self.l1 = nn.Conv1d(cin, bn * growth, 1, bias=False)
        self.l2 = nn.Conv1d(bn * growth, growth, 3, padding=dil, dilation=dil, bias=False)
        self.m1, self.m2 = nn.Conv1d(bn * growth, bn * growth // 2, 1), nn.Conv1d(bn * growth // 2, growth, 1)

    def forward(self, x):
        y = self.l1(torch.relu(self.b1(x)))
        y = torch.relu(self.b2(y))
        ctx = y.mean(-1, keepdim=True) + nn.functional.avg_pool1d(y, 100, 100, ceil_mode=True).repeat_interleave(100, -1)[..., :y.shape[-1]]
        m = torch.sigmoid(self.m2(torch.relu(self.m1(ctx))))
        return torch.cat([x, self.l2(y) * m], 1)


class CamPP(nn.Module):
    def __init__(self, emb=512):
        super().__init__()
        self.h1 = nn.Conv2d(1, 32, 3, padding=1)
        self.h2 = nn.Sequential(*[nn.Conv2d(32, 32, 3, stride=(2, 1) if i % 2 == 0 else 1, padding=1) for i in range(4)])
        self.h3 = nn.Conv2d(32, 32, 3, stride=(2, 1), padding=1)
        self.tdnn = nn.Conv1d(32 * 10, 128, 5, stride=2, padding=2)
        layers, c = [], 128
        for n, dil in ((12, 1), (24, 2), (16, 2)):
            for _ in range(n):
                layers.append(CamLayer(c, dil=dil))
                c += 32
            layers.append(nn.Conv1d(c, c // 2, 1, bias=False))
            c //= 2
        self.body = nn.Sequential(*layers)
        self.dense = L3(2 * c, emb)

    def forward(self, x):  # [N, T, 80]
        y = torch.relu(self.h1(x.transpose(1, 2).unsqueeze(1)))
        y = torch.relu(self.h3(self.h2(y)))  # [N, 32, 10, T]
        y = self.body(torch.relu(self.tdnn(y.flatten(1, 2))))
        stats = torch.cat([y.mean(-1), y.std(-1)], 1)
        return self.dense(stats.unsqueeze(1))[:, 0]


def build_campplus(name, out, precisions):
    torch.manual_seed(0)
    m = CamPP().eval()
    p = os.path.join(out, 'campplus.onnx')
    export(m, (torch.zeros(1, 300, 80),), p, ['x'], ['embedding'], {'x': {0: 'N', 1: 'T'}, 'embedding': {0: 'N'}},
           dict(framework='3d-speaker', output_dim=512, sample_rate=16000, normalize_samples=1, language='English',
                feature_normalize_type='global-mean', comment='CAM++ replica'))
    return [dict(name=f'{name}-{pr}', engine='embedding', precision=pr, params=params(m),
                 files={'model': p if pr == 'fp32' else quantize(p)}) for pr in precisions]


BUILDERS = {
    'whisper-tiny.en': build_whisper, 'whisper-base.en': build_whisper, 'moonshine-tiny': build_moonshine,
    'zipformer-streaming-20m': build_zipformer_streaming, 'zipformer-offline': build_zipformer_offline,
    'parakeet-tdt-0.6b': build_parakeet, 'campplus': build_campplus,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out', help='output directory (outside the repository, e.g. /work/replicas)')
    ap.add_argument('--only', default='', help='comma-separated replica names: ' + ', '.join(BUILDERS))
    ap.add_argument('--precision', default='both', choices=['fp32', 'int8', 'both'])
    a = ap.parse_args()
    root = os.path.abspath(a.out)
    repo = os.path.dirname(HERE)
    if root == repo or root.startswith(repo + os.sep):
        sys.exit('refusing to write replicas inside the repository (they are large); choose e.g. /work/replicas')
    precisions = ['fp32', 'int8'] if a.precision == 'both' else [a.precision]
    index_file = os.path.join(root, 'replicas.json')
    index = json.load(open(index_file)) if os.path.exists(index_file) else {'note': REPLICA_TAG, 'replicas': []}
    for name, fn in BUILDERS.items():
        if a.only and name not in a.only.split(','):
            continue
        t0 = time.time()
        out = os.path.join(root, name)
        os.makedirs(out, exist_ok=True)
        print(f'{name}: building', flush=True)
        entries = fn(name, out, precisions)
        for e in entries:
            e['files'] = {k: os.path.relpath(v, root) for k, v in e['files'].items()}
            e['bytes'] = sum(os.path.getsize(os.path.join(root, v)) for v in e['files'].values())
            weights = os.path.join(root, e['files'].get('encoder', 'x').replace('.onnx', '.weights'))
            if os.path.exists(weights):
                e['bytes'] += os.path.getsize(weights)
            index['replicas'] = [r for r in index['replicas'] if r['name'] != e['name']] + [e]
            print(f"  {e['name']}: {e['params'] / 1e6:.1f} M parameters, {e['bytes'] / 1e6:.1f} MB", flush=True)
        with open(index_file, 'w') as f:
            json.dump(index, f, indent=1)
        print(f'{name}: done in {time.time() - t0:.0f} s', flush=True)


if __name__ == '__main__':
    main()
