#!/usr/bin/env python3
"""Generate the Moonshine test fixtures under tests/fixtures/asr/moonshine/.

Run by hand: /usr/bin/python3 scripts/gen-moonshine-fixtures.py

A tiny model with the I/O contract of the Moonshine ONNX files sherpa-onnx runs
(offline-moonshine-model.cc; inputs and outputs are used by position):
  preprocess      audio f32 (1, N)                          -> features (1, T, D)
  encode          features (1, T, D), features_len i32 (1)  -> encoder_out (1, T, D)
  uncached_decode tokens i32 (1, 1), encoder_out, seq_len i32 (1) -> logits (1, 1, V), 4 states per layer
  cached_decode   tokens, encoder_out, seq_len, states...   -> logits, new states
tokens.txt is written as sherpa-onnx's scripts/moonshine/export-onnx.py writes it
(`token.strip()`, TAB, id: whitespace-only pieces become id-only lines), the preprocessor
stays fp32 in the int8 set (as upstream), and a v2 merged-decoder set is written to v2/
(scripts/gen_moonshine_v2.py). The preprocessor has Moonshine's stride-384 conv stem (127/64, 7/3, 3/2); encoder and
decoder are small pre-norm transformers with learned positions (Moonshine uses rotary
embeddings; the runner does not depend on the inside of the graphs). Fixed-seed random
weights, an INT8 dynamic-quantized variant (same quantizer as the Whisper fixtures), and
reference greedy decodes (sos 1, eos 2, at most 6 tokens per second) from PyTorch.
TEST DATA ONLY: never used at run time.
"""
import base64
import importlib.util
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("genwhisper", os.path.join(HERE, "gen-whisper-fixtures.py"))
gw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gw)
QLinear = gw.QLinear
sys.path.insert(0, HERE)

OUT = os.path.join(gw.ROOT, "tests", "fixtures", "asr", "moonshine")
D, H, V, LAYERS, MAX_POS = 32, 2, 48, 2, 128
SOS, EOS = 1, 2
MIN_MARGIN = {"fp32": 0.02, "int8": 0.12}
PIECES = ["<unk>", "<s>", "</s>"] + ["\u2581the", "\u2581a", "\u2581and", "\u2581so", "\u2581my", "\u2581fellow", "\u2581ask", "\u2581not",
          "\u2581what", "\u2581your", "\u2581country", "\u2581can", "\u2581do", "\u2581for", "\u2581you", "s", "ing", "ed", "er", "\u2581is",
          "\u2581it", "\u2581of", "\u2581in", "\u2581on", "\u2581at", ".", ",", "!", "?", "\u2581he", "\u2581she", "\u2581they", "\u2581was",
          "\u2581caf", "\u00e9", "<0x41>", "\u2581day", "\u2581night", "\u2581time", "\u2581we", "\u2581go", "\u2581to", "\u2581moon", "\u2581ni", "\u00f1o"]
assert len(PIECES) == V
# As sherpa-onnx's exporter sees them in Moonshine's tokenizer.json: a byte piece at id 3 + byte
# (<0x0A> at 13), and whitespace-only pieces that `token.strip()` turns into id-only lines.
PIECES[13] = "<0x0A>"
PIECES[20] = "\n\n"
PIECES[36] = " \t"


class Attn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = QLinear(D, D), QLinear(D, D, bias=False), QLinear(D, D), QLinear(D, D)

    def heads(self, x):
        return x.view(x.shape[0], x.shape[1], H, D // H).permute(0, 2, 1, 3)

    def attend(self, q, k, v, causal=False):
        w = (q @ k.transpose(-1, -2)) / (D // H) ** 0.5
        if causal:
            n, m = q.shape[2], k.shape[2]
            mask = torch.arange(m)[None, :] > (torch.arange(n)[:, None] + (m - n))
            w = w.masked_fill(mask, float("-inf"))
        y = torch.softmax(w, -1) @ v
        return self.o(y.permute(0, 2, 1, 3).flatten(2))


class EncLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2, self.att = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D), Attn()
        self.ff = torch.nn.Sequential(QLinear(D, 4 * D), torch.nn.GELU(), QLinear(4 * D, D))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.att.attend(self.att.heads(self.att.q(h)), self.att.heads(self.att.k(h)), self.att.heads(self.att.v(h)))
        return x + self.ff(self.ln2(x))


class DecLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2, self.ln3 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.self_att, self.cross_att = Attn(), Attn()
        self.ff = torch.nn.Sequential(QLinear(D, 4 * D), torch.nn.GELU(), QLinear(4 * D, D))


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(1, D, 127, stride=64, bias=False)
        self.gn = torch.nn.GroupNorm(1, D)
        self.c2 = torch.nn.Conv1d(D, 2 * D, 7, stride=3)
        self.c3 = torch.nn.Conv1d(2 * D, D, 3, stride=2)
        self.enc_pos = torch.nn.Parameter(torch.randn(4096, D) * 0.1)
        self.enc = torch.nn.ModuleList([EncLayer()])
        self.enc_ln = torch.nn.LayerNorm(D)
        self.emb = torch.nn.Embedding(V, D)
        self.dec_pos = torch.nn.Parameter(torch.randn(MAX_POS, D) * 0.3)
        self.dec = torch.nn.ModuleList([DecLayer() for _ in range(LAYERS)])
        self.dec_ln = torch.nn.LayerNorm(D)
        self.head = QLinear(D, V, bias=False)


class Preprocess(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, audio):
        m = self.m
        x = m.gn(torch.tanh(m.c1(audio.unsqueeze(1))))
        x = torch.nn.functional.gelu(m.c2(x))
        x = torch.nn.functional.gelu(m.c3(x))
        return x.permute(0, 2, 1)


class Encode(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, features, features_len):
        valid = (torch.arange(features.shape[1])[None, :] < features_len[:, None]).to(features.dtype)
        x = (features + self.m.enc_pos[: features.shape[1]]) * valid[:, :, None]
        for layer in self.m.enc:
            x = layer(x)
        return self.m.enc_ln(x)


def dec_step(m, tokens, encoder_out, seq_len, states):
    """One decoder step; states = [k_self, v_self, k_cross, v_cross] * LAYERS ((1, H, L, D/H))."""
    pos = (seq_len[0] - 1).long()
    x = m.emb(tokens.long()) + m.dec_pos[pos : pos + 1]
    new_states = []
    for i, layer in enumerate(m.dec):
        a = layer.self_att
        h = layer.ln1(x)
        k, v = a.heads(a.k(h)), a.heads(a.v(h))
        if states is not None:
            k = torch.cat([states[4 * i], k], 2)
            v = torch.cat([states[4 * i + 1], v], 2)
        x = x + a.attend(a.heads(a.q(h)), k, v, causal=True)
        c = layer.cross_att
        if states is None:
            ck, cv = c.heads(c.k(encoder_out)), c.heads(c.v(encoder_out))
        else:
            ck, cv = states[4 * i + 2], states[4 * i + 3]
        x = x + c.attend(c.heads(c.q(layer.ln2(x))), ck, cv)
        x = x + layer.ff(layer.ln3(x))
        new_states += [k, v, ck, cv]
    return m.head(m.dec_ln(x)), new_states


class Uncached(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, tokens, encoder_out, seq_len):
        logits, states = dec_step(self.m, tokens, encoder_out, seq_len, None)
        return (logits, *states)


class Cached(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, tokens, encoder_out, seq_len, *states):
        logits, new_states = dec_step(self.m, tokens, encoder_out, seq_len, list(states))
        # The cross-attention keys/values come from the states; keep encoder_out a graph input
        # (the real cached_decode takes it, and sherpa-onnx feeds it by position).
        return (logits + 0.0 * encoder_out.mean(), *new_states)


def state_names(prefix):
    return [f"{prefix}_{kind}_{i}" for i in range(LAYERS) for kind in ("k_self", "v_self", "k_cross", "v_cross")]


@torch.no_grad()
def greedy(pre, enc, unc, cac, audio, eos=EOS):
    feats = pre(torch.from_numpy(audio[None].astype(np.float32)))
    eo = enc(feats, torch.tensor([feats.shape[1]], dtype=torch.int32))
    max_len = int(eo.shape[1] * 384 / 16000.0 * 6)
    seq_len = 1
    out = unc(torch.tensor([[SOS]], dtype=torch.int32), eo, torch.tensor([seq_len], dtype=torch.int32))
    steps = []
    for _ in range(max_len):
        row = out[0][0, -1]
        top = torch.topk(row, 2)
        tok = int(top.indices[0])
        steps.append((tok, float(torch.log_softmax(row.double(), -1)[tok]), float(top.values[0] - top.values[1])))
        if tok == eos:
            break
        seq_len += 1
        out = cac(torch.tensor([[tok]], dtype=torch.int32), eo, torch.tensor([seq_len], dtype=torch.int32), *out[1:])
    tokens = [t for t, _, _ in steps if t != eos]
    return {"steps": steps, "tokens": tokens, "sum_logprob": sum(lp for t, lp, _ in steps if t != eos),
            "min_margin": min(mg for _, _, mg in steps) if steps else None, "encoder_frames": int(eo.shape[1]),
            "ended": bool(steps and steps[-1][0] == eos)}


def truncated(run, eos):
    """What decoding with end token `eos` gives: the run cut at its first `eos`."""
    steps = []
    for st in run["steps"]:
        steps.append(st)
        if st[0] == eos:
            break
    toks = [t for t, _, _ in steps if t != eos]
    return {"tokens": toks, "min_margin": min(m for _, _, m in steps) if steps else None,
            "ended": bool(steps and steps[-1][0] == eos)}


def build(seed):
    torch.manual_seed(seed)
    m = Tiny().eval()
    with torch.no_grad():
        m.emb.weight.normal_(0, 0.3)
        for layer in m.dec:
            for lin in layer.modules():
                if isinstance(lin, QLinear):
                    lin.weight.mul_(4.0)
    return m


CASES = [{"name": "jfk-0-3s", "start": 0, "end": 3 * 16000}, {"name": "jfk-5-8s", "start": 5 * 16000, "end": 8 * 16000},
         {"name": "jfk-8-11s", "start": 8 * 16000, "end": 11 * 16000}]


def pick_eos(m, audio):
    """Decode without an end token, then pick the output id that, relabelled as eos (2), makes
    some decodes end early while every used argmax keeps a clear margin (cases without a clear
    margin are left out of the reference; at least two must remain). Relabelling swaps two
    rows of the embedding and the output layer: the same network with renamed tokens."""
    mods = (Preprocess(m).eval(), Encode(m).eval(), Uncached(m).eval(), Cached(m).eval())
    runs = []
    for c in CASES:
        clip = audio[c["start"] : c["end"]]
        for prec in ("fp32", "int8"):
            for lin in m.modules():
                if isinstance(lin, QLinear):
                    wt = lin.weight.detach().T.contiguous().numpy().astype(np.float32)
                    sc = np.float32(np.abs(wt).max() / gw.QMAX_W)
                    lin.qweight = (np.clip(np.round(wt / sc), -gw.QMAX_W, gw.QMAX_W).astype(np.int8), sc) if prec == "int8" else None
            runs.append((prec, greedy(*mods, clip, eos=-1)))
    for lin in m.modules():
        if isinstance(lin, QLinear):
            lin.qweight = None
    for cand in range(3, V):
        good = []
        for i, c in enumerate(CASES):
            res = [(p, truncated(r, cand)) for p, r in runs[2 * i : 2 * i + 2]]
            if all(t["min_margin"] is None or t["min_margin"] >= MIN_MARGIN[p] for p, t in res):
                good.append((c, [t for _, t in res]))
        if len(good) < 2:
            continue
        ts = [t for _, rs in good for t in rs]
        if any(t["ended"] and len(t["tokens"]) >= 1 for t in ts) and any(len(set(t["tokens"])) >= 3 for t in ts):
            return cand, [c for c, _ in good]
    return None, []


def export(seed):
    m = build(seed)
    audio = gw.read_wav(os.path.join(gw.eval_dir(), "jfk", "jfk.wav"))
    cand, cases = pick_eos(m, audio)
    if cand is None:
        print("seed", seed, "rejected")
        return False
    with torch.no_grad():
        for w in (m.emb.weight, m.head.weight):
            w[[EOS, cand]] = w[[cand, EOS]]
    pre, enc, unc, cac = Preprocess(m).eval(), Encode(m).eval(), Uncached(m).eval(), Cached(m).eval()
    audio0 = torch.zeros(1, 16000)
    f0 = pre(audio0)
    e0 = enc(f0, torch.tensor([f0.shape[1]], dtype=torch.int32))
    u0 = unc(torch.tensor([[SOS]], dtype=torch.int32), e0, torch.tensor([1], dtype=torch.int32))
    paths = {n: os.path.join(OUT, f"{n}.onnx") for n in ("preprocess", "encode", "uncached_decode", "cached_decode")}
    torch.onnx.export(pre, audio0, paths["preprocess"], opset_version=13, input_names=["audio"], output_names=["features"],
                      dynamic_axes={"audio": {1: "num_samples"}, "features": {1: "T"}})
    torch.onnx.export(enc, (f0, torch.tensor([f0.shape[1]], dtype=torch.int32)), paths["encode"], opset_version=13,
                      input_names=["features", "features_len"], output_names=["encoder_out"],
                      dynamic_axes={"features": {1: "T"}, "encoder_out": {1: "T"}})
    sn_out = state_names("present")
    torch.onnx.export(unc, (torch.tensor([[SOS]], dtype=torch.int32), e0, torch.tensor([1], dtype=torch.int32)), paths["uncached_decode"],
                      opset_version=13, input_names=["tokens", "encoder_out", "seq_len"], output_names=["logits"] + sn_out,
                      dynamic_axes={"encoder_out": {1: "T"}, **{n: {2: "L" if "self" in n else "T"} for n in sn_out}})
    sn_in = state_names("past")
    torch.onnx.export(cac, (torch.tensor([[5]], dtype=torch.int32), e0, torch.tensor([2], dtype=torch.int32), *u0[1:]), paths["cached_decode"],
                      opset_version=13, input_names=["tokens", "encoder_out", "seq_len"] + sn_in, output_names=["logits"] + sn_out,
                      dynamic_axes={"encoder_out": {1: "T"}, **{n: {2: "L" if "self" in n else "T"} for n in sn_in + sn_out}})
    q = {}
    for n, p in paths.items():
        if n != "preprocess":  # "Don't use int8 for the preprocessor" (sherpa-onnx export-onnx.py)
            q.update(gw.quantize_dynamic_int8(p, p.replace(".onnx", ".int8.onnx")))
    stale = os.path.join(OUT, "preprocess.int8.onnx")
    if os.path.exists(stale):
        os.remove(stale)
    ref = {"seed": seed, "sos": SOS, "eos": EOS, "relabelled_eos_from": cand, "min_margin": MIN_MARGIN, "cases": []}
    for c in cases:
        clip = audio[c["start"] : c["end"]]
        e = dict(c)
        for prec in ("fp32", "int8"):
            for mod in (pre, enc, unc, cac):
                gw.set_int8_simulation(mod, q if prec == "int8" else None)
            e[prec] = greedy(pre, enc, unc, cac, clip)
            del e[prec]["steps"]
        for mod in (pre, enc, unc, cac):
            gw.set_int8_simulation(mod, None)
        ref["cases"].append(e)
        print(c["name"], {p: (e[p]["tokens"], round(e[p]["min_margin"] or 0, 3), e[p]["ended"]) for p in ("fp32", "int8")})
    res = [(e[p], p) for e in ref["cases"] for p in ("fp32", "int8")]
    ok = all(r["min_margin"] is None or r["min_margin"] >= MIN_MARGIN[p] for r, p in res)
    ok = ok and any(r["ended"] and len(r["tokens"]) >= 1 for r, _ in res) and any(len(set(r["tokens"])) >= 3 for r, _ in res)
    if not ok:
        print("seed", seed, "rejected")
        return False
    with open(os.path.join(OUT, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, piece in enumerate(PIECES):  # scripts/moonshine/export-onnx.py: f"{s.strip()}\t{i}"
            f.write(f"{piece.strip()}\t{i}\n")
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    v2.export_v2(sys.modules[__name__], m, audio, cases, OUT, q)
    for n in sorted(os.listdir(OUT)):
        print(n, os.path.getsize(os.path.join(OUT, n)))
    return True


import gen_moonshine_v2 as v2  # noqa: E402  (needs the classes above)

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for seed in range(int(os.environ.get("FIXTURE_SEED", "0")), 300):
        if export(seed):
            print("chosen seed", seed)
            break
    else:
        sys.exit("no seed satisfied the criteria")
