"""Tiny transducer models with the I/O signature of the sherpa-onnx exports (test fixtures only).

Imported by scripts/gen-transducer-fixtures.py. The internals are deliberately small
("zipformer-like": chunked attention over cached keys/values, a non-linear attention path, two
cached causal depthwise convolutions per layer, a cached embedding front end) but every input
and output of the real exports exists, has the real name, shape convention and dtype, and is
actually used, so a runner that mishandles a state, a chunk boundary or a length fails.

Every Linear is written as x @ W + b (ONNX MatMul) so INT8 dynamic quantization applies, and
`QuantState` emulates onnxruntime's DynamicQuantizeLinear + MatMulInteger exactly for the
PyTorch reference of the int8 variant.
"""
import math
import os

import numpy as np
import torch
from torch import nn


class QuantState:
    enabled = False


def quantize_weight(w: np.ndarray):
    """Symmetric per-tensor int8 (zero point 0), like onnxruntime's QInt8 weights, with
    onnxruntime's `reduce_range` (7-bit weights, |q| <= 63). Full-range weights make x86 AVX2
    U8S8 kernels (vpmaddubsw, int16 pair sums) saturate, so results would depend on the CPU;
    with 7 bits every pair sum fits in int16 and ORT is exact on every platform."""
    rmax = float(np.abs(w).max())
    scale = np.float32(rmax / 63.0 if rmax > 0 else 1.0)
    q = np.clip(np.round(w / scale), -63, 63).astype(np.int8)
    return q, scale


def dynamic_quantize(x: torch.Tensor):
    """ONNX DynamicQuantizeLinear (uint8): returns (q as float, scale, zero point)."""
    xmin = torch.clamp(x.min(), max=0.0)
    xmax = torch.clamp(x.max(), min=0.0)
    scale = ((xmax - xmin) / 255.0).float()
    if float(scale) == 0.0:
        scale = torch.tensor(1.0)
    zp = torch.clamp(torch.round(0.0 - xmin / scale), 0, 255)
    q = torch.clamp(torch.round(x / scale) + zp, 0, 255)
    return q, scale, zp


class Lin(nn.Module):
    def __init__(self, i, o, bias=True, scale=1.0):
        super().__init__()
        self.w = nn.Parameter(torch.randn(i, o) * scale / math.sqrt(i))
        self.b = nn.Parameter(torch.randn(o) * 0.1) if bias else None
        self.wq = None  # (int8 weights as float tensor, scale) once quantized

    def freeze_quant(self):
        q, s = quantize_weight(self.w.detach().numpy().astype(np.float32))
        self.wq = (torch.from_numpy(q.astype(np.float32)), torch.tensor(s))

    def forward(self, x):
        if QuantState.enabled and self.wq is not None:
            q, s, zp = dynamic_quantize(x)
            wq, ws = self.wq
            acc = torch.matmul((q - zp).double(), wq.double()).float()
            y = acc * (s * ws).float()
        else:
            y = torch.matmul(x, self.w)
        return y + self.b if self.b is not None else y


def bias_norm(x, g):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-5) * g


class StreamLayer(nn.Module):
    """One 'zipformer2-like' layer with the 6 cached states of the streaming export."""

    def __init__(self, d, heads, qd, vd, left, kernel):
        super().__init__()
        self.d, self.h, self.qd, self.vd, self.left, self.half = d, heads, qd, vd, left, kernel // 2
        self.q, self.k = Lin(d, heads * qd), Lin(d, heads * qd)
        self.v1, self.o1 = Lin(d, heads * vd), Lin(heads * vd, d)
        self.v2, self.o2 = Lin(d, heads * vd), Lin(heads * vd, d)
        self.n, self.on = Lin(d, 3 * d // 4), Lin(3 * d // 4, d)
        self.c1, self.c2 = Lin(d, d), Lin(d, d)
        self.k1 = nn.Parameter(torch.randn(d, 1, self.half + 1) * 0.5)
        self.k2 = nn.Parameter(torch.randn(d, 1, self.half + 1) * 0.5)
        self.f1, self.f2 = Lin(d, 2 * d), Lin(2 * d, d)
        self.g = nn.Parameter(1 + 0.1 * torch.randn(d))

    def attend(self, a, vals):  # a [H, t, S], vals [S, 1, H*vd] -> [t, 1, H*vd]
        s = vals.shape[0]
        v = vals.reshape(s, self.h, -1).permute(1, 0, 2)  # [H, S, vd]
        return torch.matmul(a, v).permute(1, 0, 2).reshape(a.shape[1], 1, -1)

    def conv(self, x, cache, kern):  # x [t,1,d], cache [1,d,half]
        xt = x.permute(1, 2, 0)
        full = torch.cat([cache, xt], dim=2)
        y = nn.functional.conv1d(full, kern, groups=self.d)
        return y.permute(2, 0, 1), full[:, :, -self.half:]

    def forward(self, x, ck, cn, cv1, cv2, cc1, cc2, valid_cache):
        t = x.shape[0]
        q = self.q(x).reshape(t, self.h, self.qd).permute(1, 0, 2)
        keys = torch.cat([ck, self.k(x)], dim=0)
        kk = keys.reshape(keys.shape[0], self.h, self.qd).permute(1, 2, 0)
        logits = torch.matmul(q, kk) / math.sqrt(self.qd)  # [H, t, L+t]
        pos = torch.arange(self.left + t)
        invalid = pos < (self.left - valid_cache)
        logits = logits.masked_fill(invalid.view(1, 1, -1), float('-inf'))
        a = torch.softmax(logits, dim=-1)
        vals1 = torch.cat([cv1, self.v1(x)], dim=0)
        x = x + self.o1(self.attend(a, vals1))
        nl = torch.tanh(self.n(x))  # [t,1,3d/4]
        nall = torch.cat([cn[0].permute(1, 0, 2), nl], dim=0)  # [L+t,1,3d/4]
        x = x + self.on(torch.matmul(a[0], nall[:, 0, :]).unsqueeze(1))
        y, ncc1 = self.conv(self.c1(x), cc1, self.k1)
        x = x + y
        vals2 = torch.cat([cv2, self.v2(x)], dim=0)
        x = x + self.o2(self.attend(a, vals2))
        y, ncc2 = self.conv(self.c2(x), cc2, self.k2)
        x = x + y
        x = x + self.f2(torch.relu(self.f1(x)))
        x = bias_norm(x, self.g)
        L = self.left
        return (x, keys[-L:], nall[-L:].permute(1, 0, 2).unsqueeze(0), vals1[-L:], vals2[-L:], ncc1, ncc2)


class StreamingEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d0 = cfg['encoder_dims'][0]
        self.inp = Lin(80, d0, scale=0.25)
        self.cache_proj = Lin(19, d0)
        self.ea = nn.Parameter(torch.randn(128, 1, 1) * 0.5)
        self.eb = nn.Parameter(torch.randn(128, 1, 1) * 0.1)
        self.stacks = nn.ModuleList()
        self.bridges = nn.ModuleList()
        prev = d0
        for i, d in enumerate(cfg['encoder_dims']):
            self.bridges.append(Lin(prev, d))
            self.stacks.append(nn.ModuleList([
                StreamLayer(d, cfg['num_heads'][i], cfg['query_head_dims'][i], cfg['value_head_dims'][i],
                            cfg['left_context_len'][i], cfg['cnn_module_kernels'][i])
                for _ in range(cfg['num_encoder_layers'][i])]))
            prev = d
        self.out = Lin(prev, cfg['joiner_dim'])

    def forward(self, x, *states):
        cfg = self.cfg
        n_out = cfg['decode_chunk_len'] // 4
        embed_states, processed_lens = states[-2], states[-1]
        e = torch.tanh(self.inp(x))[0]  # [T, d0]
        win = cfg['T'] - cfg['decode_chunk_len'] + 1
        pooled = torch.stack([e[4 * j: 4 * j + win].mean(0) for j in range(n_out)], 0)  # [t, d0]
        cache_vec = self.cache_proj(embed_states.mean(dim=(1, 2)))  # [1, d0]
        h = (pooled + cache_vec).unsqueeze(1)  # [t,1,d0]
        tail = x[:, -3:, :76].reshape(1, 3, 19, 4).mean(-1)  # [1,3,19]
        new_embed = torch.tanh(self.ea * tail + self.eb).unsqueeze(0)  # [1,128,3,19]
        new_states = []
        idx = 0
        for i, layers in enumerate(self.stacks):
            h = self.bridges[i](h)
            valid = torch.clamp(processed_lens[0], max=cfg['left_context_len'][i])
            for layer in layers:
                out = layer(h, *states[idx: idx + 6], valid)
                h = out[0]
                new_states.extend(out[1:])
                idx += 6
        enc = self.out(h).permute(1, 0, 2)  # [1, t, J]
        return (enc, *new_states, new_embed, processed_lens + n_out)

    def init_states(self):
        cfg = self.cfg
        s = []
        for i, d in enumerate(cfg['encoder_dims']):
            L, kd = cfg['left_context_len'][i], cfg['query_head_dims'][i] * cfg['num_heads'][i]
            vd = cfg['value_head_dims'][i] * cfg['num_heads'][i]
            for _ in range(cfg['num_encoder_layers'][i]):
                s += [torch.zeros(L, 1, kd), torch.zeros(1, 1, L, 3 * d // 4), torch.zeros(L, 1, vd),
                      torch.zeros(L, 1, vd), torch.zeros(1, d, cfg['cnn_module_kernels'][i] // 2),
                      torch.zeros(1, d, cfg['cnn_module_kernels'][i] // 2)]
        s += [torch.zeros(1, 128, 3, 19), torch.zeros(1, dtype=torch.int64)]
        return s

    def state_names(self):
        names = []
        m = sum(self.cfg['num_encoder_layers'])
        for i in range(m):
            names += [f'cached_key_{i}', f'cached_nonlin_attn_{i}', f'cached_val1_{i}', f'cached_val2_{i}',
                      f'cached_conv1_{i}', f'cached_conv2_{i}']
        return names + ['embed_states', 'processed_lens']


class OfflineEncoder(nn.Module):
    """Offline zipformer signature: x [N,T,80], x_lens [N] -> encoder_out [N,T',J], encoder_out_lens."""

    def __init__(self, d, joiner_dim, layers=2):
        super().__init__()
        self.inp = Lin(80, d, scale=0.25)
        self.att = nn.ModuleList([Lin(d, 3 * d) for _ in range(layers)])
        self.ao = nn.ModuleList([Lin(d, d) for _ in range(layers)])
        self.ff = nn.ModuleList([Lin(d, d) for _ in range(layers)])
        self.g = nn.Parameter(1 + 0.1 * torch.randn(d))
        self.out = Lin(d, joiner_dim)

    def forward(self, x, x_lens):
        e = torch.tanh(self.inp(x))  # [1,T,d]
        t1 = (x.shape[1] - 7) // 2
        u = nn.functional.avg_pool1d(e.transpose(1, 2), 8, 2)[:, :, :t1]  # [1,d,t1]
        u = torch.cat([u, u[:, :, -1:]], dim=2)
        t2 = (t1 + 1) // 2
        h = ((u[:, :, 0:2 * t2:2] + u[:, :, 1:2 * t2:2]) / 2).transpose(1, 2)  # [1,t2,d]
        out_lens = ((x_lens - 7) // 2 + 1) // 2
        valid = torch.arange(t2).unsqueeze(0) < out_lens.unsqueeze(1)  # [1,t2]
        for att, ao, ff in zip(self.att, self.ao, self.ff):
            q, k, v = att(h).chunk(3, dim=-1)
            a = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(q.shape[-1])
            a = torch.softmax(a.masked_fill(~valid.unsqueeze(1), float('-inf')), dim=-1)
            h = h + ao(torch.matmul(a, v))
            h = bias_norm(h + torch.relu(ff(h)), self.g)
        return self.out(h), out_lens


class StatelessDecoder(nn.Module):
    """icefall stateless decoder (zipformer/decoder.py + export-onnx.py's OnnxDecoder):
    y [N, context] int64 -> decoder_out [N, J]. As icefall, a negative id (the -1 padding of the
    initial context [-1, ..., 0]) embeds as a zero vector, blank (0) has a trained, non-zero
    embedding, and the context conv is grouped with group size 4, no bias, then ReLU."""

    def __init__(self, vocab, d, context, joiner_dim):
        super().__init__()
        self.emb = nn.Parameter(torch.randn(vocab, d))
        self.context = context
        self.conv = nn.Parameter(torch.randn(d, 4, context) * 0.25)
        self.proj = Lin(d, joiner_dim)

    def forward(self, y):
        e = self.emb[y.clamp(min=0)] * (y >= 0).unsqueeze(-1).to(torch.float32)  # [N, ctx, d]
        c = nn.functional.conv1d(e.transpose(1, 2), self.conv, groups=e.shape[2] // 4)  # [N, d, 1]
        return self.proj(torch.relu(c[:, :, 0]))


class Joiner(nn.Module):
    def __init__(self, joiner_dim, out_dim, blank_bias, blank_id=0):
        super().__init__()
        self.lin = Lin(joiner_dim, out_dim, scale=2.0)
        with torch.no_grad():
            self.lin.b[blank_id] += blank_bias

    def forward(self, encoder_out, decoder_out):
        return self.lin(torch.tanh(2.0 * encoder_out + float(os.environ.get('DEC_GAIN', '1.0')) * decoder_out))


class NemoEncoder(nn.Module):
    """NeMo (Parakeet) signature: audio_signal [N,F,T], length [N] -> outputs [N,C,T'], encoded_lengths."""

    def __init__(self, feat, d, layers=2):
        super().__init__()
        self.inner = OfflineEncoder(d, d, layers)
        self.inner.inp = Lin(feat, d, scale=1.0)

    def forward(self, audio_signal, length):
        x = audio_signal.transpose(1, 2)
        h, lens = self.inner(x, length)  # stride 4 ...
        t = h.shape[1]
        h = torch.cat([h, h[:, -1:]], dim=1)
        t2 = (t + 1) // 2
        h = (h[:, 0:2 * t2:2] + h[:, 1:2 * t2:2]) / 2  # ... then 8
        return h.transpose(1, 2), (lens + 1) // 2


class NemoDecoder(nn.Module):
    """NeMo RNNT prediction net: targets int32 [N,1], target_length, LSTM states -> outputs [N,H,1]."""

    def __init__(self, vocab_with_blank, hidden, layers):
        super().__init__()
        self.emb = nn.Parameter(torch.randn(vocab_with_blank, hidden))
        with torch.no_grad():
            self.emb[vocab_with_blank - 1].zero_()  # blank is the padding index
        self.lstm = nn.LSTM(hidden, hidden, layers)

    def forward(self, targets, target_length, h0, c0):
        e = self.emb[targets.long()].transpose(0, 1)  # [1, N, H]
        y, (h, c) = self.lstm(e, (h0, c0))
        return y.permute(1, 2, 0), target_length, h, c


class NemoJoiner(nn.Module):
    def __init__(self, c, h, j, out_dim, blank_id, blank_bias):
        super().__init__()
        self.enc, self.pred = Lin(c, j), Lin(h, j)
        self.lin = Lin(j, out_dim, scale=3.0)
        with torch.no_grad():
            self.lin.b[blank_id] += blank_bias

    def forward(self, encoder_outputs, decoder_outputs):
        z = torch.relu(self.enc(encoder_outputs.transpose(1, 2)) + self.pred(decoder_outputs.transpose(1, 2)))
        return self.lin(z).unsqueeze(1)  # [N,1,1,V+D]


def all_lins(*modules):
    for m in modules:
        for sub in m.modules():
            if isinstance(sub, Lin):
                yield sub


class StreamLayerV1(nn.Module):
    """Zipformer (v1, pruned_transducer_stateless7_streaming) layer: cached_len, cached_avg,
    cached_key, cached_val, cached_val2, cached_conv1, cached_conv2 (kernel-1 frames)."""

    def __init__(self, d, att, left, kernel):
        super().__init__()
        self.d, self.att, self.left, self.k = d, att, left, kernel
        self.q, self.kk = Lin(d, att), Lin(d, att)
        self.v1, self.o1 = Lin(d, att // 2), Lin(att // 2, d)
        self.v2, self.o2 = Lin(d, att // 2), Lin(att // 2, d)
        self.avg = Lin(d, d, scale=0.2)
        self.c1, self.c2 = Lin(d, d), Lin(d, d)
        self.k1 = nn.Parameter(torch.randn(d, 1, kernel) * 0.4)
        self.k2 = nn.Parameter(torch.randn(d, 1, kernel) * 0.4)
        self.g = nn.Parameter(1 + 0.1 * torch.randn(d))

    def conv(self, x, cache, kern):  # x [t,1,d], cache [1,d,k-1]
        full = torch.cat([cache, x.permute(1, 2, 0)], dim=2)
        return nn.functional.conv1d(full, kern, groups=self.d).permute(2, 0, 1), full[:, :, -(self.k - 1):]

    def forward(self, x, n, avg, key, val, val2, cc1, cc2):
        t = x.shape[0]
        new_avg = (avg * n.float() + x.sum(0)) / (n.float() + t)  # [1,d]
        x = x + self.avg(new_avg).unsqueeze(0)
        keys = torch.cat([key, self.kk(x)], dim=0)  # [L+t,1,att]
        logits = torch.matmul(self.q(x)[:, 0], keys[:, 0].t()) / math.sqrt(self.att)  # [t, L+t]
        valid = torch.clamp(n[0], max=self.left)
        invalid = torch.arange(self.left + t) < (self.left - valid)
        a = torch.softmax(logits.masked_fill(invalid.view(1, -1), float('-inf')), dim=-1)
        vals = torch.cat([val, self.v1(x)], dim=0)
        x = x + self.o1(torch.matmul(a, vals[:, 0]).unsqueeze(1))
        y, n1 = self.conv(self.c1(x), cc1, self.k1)
        x = x + y
        vals2 = torch.cat([val2, self.v2(x)], dim=0)
        x = x + self.o2(torch.matmul(a, vals2[:, 0]).unsqueeze(1))
        y, n2 = self.conv(self.c2(x), cc2, self.k2)
        x = bias_norm(x + y, self.g)
        L = self.left
        return x, n + t, new_avg, keys[-L:], vals[-L:], vals2[-L:], n1, n2


class StreamingEncoderV1(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d0 = cfg['encoder_dims'][0]
        self.inp = Lin(80, d0, scale=0.25)
        self.bridges = nn.ModuleList()
        self.stacks = nn.ModuleList()
        prev = d0
        for i, d in enumerate(cfg['encoder_dims']):
            self.bridges.append(Lin(prev, d))
            self.stacks.append(nn.ModuleList([StreamLayerV1(d, cfg['attention_dims'][i], cfg['left_context_len'][i],
                                                            cfg['cnn_module_kernels'][i])
                                              for _ in range(cfg['num_encoder_layers'][i])]))
            prev = d
        self.out = Lin(prev, cfg['joiner_dim'], scale=3.0)

    def forward(self, x, *states):
        cfg, ns = self.cfg, len(self.stacks)
        n_out = cfg['decode_chunk_len'] // 4
        win = cfg['T'] - cfg['decode_chunk_len'] + 1
        e = torch.tanh(self.inp(x))[0]
        h = torch.stack([e[4 * j: 4 * j + win].mean(0) for j in range(n_out)], 0).unsqueeze(1)
        new = [[None] * ns for _ in range(7)]
        for i, layers in enumerate(self.stacks):
            h = self.bridges[i](h)
            outs = [[] for _ in range(7)]
            for j, layer in enumerate(layers):
                r = layer(h, *[states[g * ns + i][j] for g in range(7)])
                h = r[0]
                for g in range(7):
                    outs[g].append(r[1 + g])
            for g in range(7):
                new[g][i] = torch.stack(outs[g], 0)
        enc = self.out(h).permute(1, 0, 2)
        return (enc, *[new[g][i] for g in range(7) for i in range(ns)])

    def init_states(self):
        cfg, s = self.cfg, [[] for _ in range(7)]
        for i, d in enumerate(cfg['encoder_dims']):
            nl, L, a, k = cfg['num_encoder_layers'][i], cfg['left_context_len'][i], cfg['attention_dims'][i], \
                cfg['cnn_module_kernels'][i]
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
        return [f'{g}_{i}' for g in groups for i in range(len(self.stacks))]
