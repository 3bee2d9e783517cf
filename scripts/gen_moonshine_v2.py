"""Moonshine v2 (merged decoder) fixtures, imported by scripts/gen-moonshine-fixtures.py.

The layout sherpa-onnx runs in offline-moonshine-model-v2.cc (the transformers/optimum export
of Moonshine): encoder_model (input_values f32 (1, N), attention_mask i64 (1, N)) ->
last_hidden_state (1, T, D); decoder_model_merged (encoder_attention_mask i64 (1, T*384) that the
graph downsamples with stride 384, input_ids i64 (1, 1), encoder_hidden_states, 4 past_key_values
per layer (decoder.key/value, encoder.key/value; (1, H, L, Dh)), use_cache_branch bool (1)) ->
logits, 4 presents per layer. The decoder is one `If` on use_cache_branch over two graphs (as
optimum's merge_decoders builds it); the cache branch passes the encoder keys/values through.
Written as fp32 .onnx and as int8 .ort (upstream ships quantized .ort files; converted with
onnxruntime-node, scripts/onnx-to-ort.mjs), tokens.txt as scripts/moonshine/v2/generate_tokens.py
writes it (base64 of each token's bytes; an empty token is an empty field). TEST DATA ONLY.
"""
import base64
import json
import math
import os
import subprocess

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

V2_TOKENS_PER_SECOND = 15
STRIDE = 384


def cross_attend(a, q, k, v, mask_ds, heads, d):
    w = (q @ k.transpose(-1, -2)) / (d // heads) ** 0.5
    w = w.masked_fill((mask_ds == 0)[:, None, None, :], float("-inf"))
    y = torch.softmax(w, -1) @ v
    return a.o(y.permute(0, 2, 1, 3).flatten(2))


def dec_v2(g, m, input_ids, enc_out, mask, past):
    """One merged-decoder step; past None = the no-cache branch (position 0)."""
    mask_ds = mask[:, ::STRIDE]
    pos = 0 if past is None else past[0].shape[2]
    x = m.emb(input_ids) + m.dec_pos[pos: pos + 1]
    presents = []
    for i, layer in enumerate(m.dec):
        a = layer.self_att
        h = layer.ln1(x)
        k, v = a.heads(a.k(h)), a.heads(a.v(h))
        if past is not None:
            k = torch.cat([past[4 * i], k], 2)
            v = torch.cat([past[4 * i + 1], v], 2)
        x = x + a.attend(a.heads(a.q(h)), k, v, causal=True)
        c = layer.cross_att
        if past is None:
            ck, cv = c.heads(c.k(enc_out)), c.heads(c.v(enc_out))
        else:
            ck, cv = past[4 * i + 2], past[4 * i + 3]
        x = x + cross_attend(c, c.heads(c.q(layer.ln2(x))), ck, cv, mask_ds, g.H, g.D)
        x = x + layer.ff(layer.ln3(x))
        presents += [k, v, ck, cv]
    return m.head(m.dec_ln(x)), presents


class EncoderV2(torch.nn.Module):
    def __init__(self, g, m):
        super().__init__()
        self.pre, self.m = g.Preprocess(m), m

    def forward(self, input_values, attention_mask):
        f = self.pre(input_values * attention_mask.to(input_values.dtype))
        x = f + self.m.enc_pos[: f.shape[1]]
        for layer in self.m.enc:
            x = layer(x)
        return self.m.enc_ln(x)


class NoCache(torch.nn.Module):
    def __init__(self, g, m):
        super().__init__()
        self.g, self.m = g, m

    def forward(self, encoder_attention_mask, input_ids, encoder_hidden_states):
        logits, presents = dec_v2(self.g, self.m, input_ids, encoder_hidden_states, encoder_attention_mask, None)
        return (logits, *presents)


class WithCache(torch.nn.Module):
    def __init__(self, g, m):
        super().__init__()
        self.g, self.m = g, m

    def forward(self, encoder_attention_mask, input_ids, *past):
        logits, presents = dec_v2(self.g, self.m, input_ids, None, encoder_attention_mask, list(past))
        return (logits, *presents)


def kv_names(prefix, layers):
    return [f"{prefix}.{i}.{part}.{kv}" for i in range(layers) for part in ("decoder", "encoder") for kv in ("key", "value")]


def as_branch(model, tag, outer):
    """The graph of `model` as an If branch: no inputs, internal names prefixed, outputs renamed."""
    gr = model.graph
    ren = {}
    for n in gr.node:
        for o in n.output:
            ren[o] = f"{tag}/{o}"
    for i in gr.initializer:
        ren[i.name] = f"{tag}/{i.name}"
    for n in gr.node:
        n.name = f"{tag}/{n.name}"
        n.input[:] = [ren.get(x, x) if x not in outer else x for x in n.input]
        n.output[:] = [ren[x] for x in n.output]
    for i in gr.initializer:
        i.name = ren[i.name]
    outs = []
    for o in gr.output:
        name = ren.get(o.name)
        if name is None:  # an output that is an outer input passed straight through
            name = f"{tag}/{o.name}_out"
            gr.node.append(helper.make_node("Identity", [o.name], [name], name=f"{tag}/id_{o.name}"))
        outs.append(helper.make_tensor_value_info(name, o.type.tensor_type.elem_type, None))
    return helper.make_graph(list(gr.node), f"{tag}_branch", [], outs, list(gr.initializer))


def merge(nocache_path, cache_path, out_path, g):
    layers, heads, hd = g.LAYERS, g.H, g.D // g.H
    outer_inputs = [
        helper.make_tensor_value_info("encoder_attention_mask", TensorProto.INT64, ["batch_size", "encoder_sequence_length"]),
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"]),
        helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch_size", "encoder_sequence_length / 384", g.D]),
    ] + [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch_size", heads, "past_sequence_length" if ".decoder." in n else "encoder_sequence_length_out", hd])
         for n in kv_names("past_key_values", layers)] + [helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])]
    outer = {i.name for i in outer_inputs}
    then_g = as_branch(onnx.load(cache_path), "with_past", outer)
    else_g = as_branch(onnx.load(nocache_path), "no_past", outer)
    out_names = ["logits"] + kv_names("present", layers)
    node = helper.make_node("If", ["use_cache_branch"], out_names, name="optimum::if", then_branch=then_g, else_branch=else_g)
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", g.V])] + [
        helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch_size", heads, None, hd]) for n in out_names[1:]]
    model = helper.make_model(helper.make_graph([node], "moonshine_merged_decoder", outer_inputs, outputs),
                              opset_imports=[helper.make_opsetid("", 13)], producer_name="parley-test-fixture")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def to_ort(g, src, dst):
    subprocess.run(["node", os.path.join(g.HERE, "onnx-to-ort.mjs"), src, dst], check=True, cwd=g.gw.ROOT)


@torch.no_grad()
def greedy_v2(g, enc, m, audio):
    x = torch.from_numpy(audio[None].astype(np.float32))
    eo = enc(x, torch.ones_like(x, dtype=torch.int64))
    t = eo.shape[1]
    mask = torch.ones(1, t * STRIDE, dtype=torch.int64)
    max_len = int(t * STRIDE / 16000.0 * V2_TOKENS_PER_SECOND)
    logits, past = dec_v2(g, m, torch.tensor([[g.SOS]]), eo, mask, None)
    steps = []
    for _ in range(max_len):
        row = logits[0, -1]
        top = torch.topk(row, 2)
        tok = int(top.indices[0])
        steps.append((tok, float(torch.log_softmax(row.double(), -1)[tok]), float(top.values[0] - top.values[1])))
        if tok == g.EOS:
            break
        logits, new = dec_v2(g, m, torch.tensor([[tok]]), None, mask, past)
        past = [new[i] if i % 4 < 2 else past[i] for i in range(len(past))]
    toks = [s[0] for s in steps if s[0] != g.EOS]
    return {"tokens": toks, "sum_logprob": sum(s[1] for s in steps if s[0] != g.EOS), "min_margin": min(s[2] for s in steps),
            "ended": bool(steps and steps[-1][0] == g.EOS), "encoder_frames": int(t)}


def export_v2(g, m, audio, cases, out_dir, q_unused=None):
    d = os.path.join(out_dir, "v2")
    os.makedirs(d, exist_ok=True)
    enc, nc, wc = EncoderV2(g, m).eval(), NoCache(g, m).eval(), WithCache(g, m).eval()
    a0 = torch.zeros(1, 16000)
    e0 = enc(a0, torch.ones(1, 16000, dtype=torch.int64))
    t0 = e0.shape[1]
    mask0 = torch.ones(1, t0 * STRIDE, dtype=torch.int64)
    tmp = {k: os.path.join(d, f"{k}.tmp.onnx") for k in ("nocache", "cache")}
    enc_path = os.path.join(d, "encoder_model.onnx")
    torch.onnx.export(enc, (a0, torch.ones(1, 16000, dtype=torch.int64)), enc_path, opset_version=13,
                      input_names=["input_values", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_values": {1: "N"}, "attention_mask": {1: "N"}, "last_hidden_state": {1: "T"}})
    pres = kv_names("present", g.LAYERS)
    torch.onnx.export(nc, (mask0, torch.tensor([[g.SOS]]), e0), tmp["nocache"], opset_version=13,
                      input_names=["encoder_attention_mask", "input_ids", "encoder_hidden_states"], output_names=["logits"] + pres,
                      dynamic_axes={"encoder_attention_mask": {1: "S"}, "encoder_hidden_states": {1: "T"},
                                    **{n: {2: "L"} for n in pres}})
    _, p0 = dec_v2(g, m, torch.tensor([[g.SOS]]), e0, mask0, None)
    past_names = kv_names("past_key_values", g.LAYERS)
    torch.onnx.export(wc, (mask0, torch.tensor([[5]]), *p0), tmp["cache"], opset_version=13,
                      input_names=["encoder_attention_mask", "input_ids"] + past_names, output_names=["logits"] + pres,
                      dynamic_axes={"encoder_attention_mask": {1: "S"}, **{n: {2: "L"} for n in past_names + pres}})
    merge(tmp["nocache"], tmp["cache"], os.path.join(d, "decoder_model_merged.onnx"), g)
    q = {}
    q.update(g.gw.quantize_dynamic_int8(enc_path, os.path.join(d, "encoder_model.int8.tmp.onnx")))
    for k in ("nocache", "cache"):
        q.update(g.gw.quantize_dynamic_int8(tmp[k], tmp[k].replace(".tmp.onnx", ".int8.tmp.onnx")))
    merge(tmp["nocache"].replace(".tmp.onnx", ".int8.tmp.onnx"), tmp["cache"].replace(".tmp.onnx", ".int8.tmp.onnx"),
          os.path.join(d, "decoder_model_merged.int8.tmp.onnx"), g)
    to_ort(g, os.path.join(d, "encoder_model.int8.tmp.onnx"), os.path.join(d, "encoder_model.ort"))
    to_ort(g, os.path.join(d, "decoder_model_merged.int8.tmp.onnx"), os.path.join(d, "decoder_model_merged.ort"))
    for f in os.listdir(d):
        if ".tmp." in f:
            os.remove(os.path.join(d, f))
    ref = {"tokens_per_second": V2_TOKENS_PER_SECOND, "cases": []}
    for c in cases:
        e = {k: c[k] for k in ("name", "start", "end")}
        clip = audio[c["start"]: c["end"]]
        for prec in ("fp32", "int8"):
            for mod in (enc, nc, wc):
                g.gw.set_int8_simulation(mod, q if prec == "int8" else None)
            e[prec] = greedy_v2(g, enc, m, clip)
        for mod in (enc, nc, wc):
            g.gw.set_int8_simulation(mod, None)
        print("v2", c["name"], {p: (e[p]["tokens"], round(e[p]["min_margin"], 3), e[p]["ended"]) for p in ("fp32", "int8")})
        ref["cases"].append(e)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    with open(os.path.join(d, "tokens.txt"), "w", encoding="utf-8") as f:  # generate_tokens.py: f"{b64} {idx}"
        for i, piece in enumerate(g.PIECES):
            raw = b"" if i == 0 else piece.encode("utf-8")  # id 0 stands for an empty token of tokenizer.bin
            f.write(f"{base64.b64encode(raw).decode('ascii')} {i}\n")
