#!/usr/bin/env python3
"""Generate the Whisper test fixtures under tests/fixtures/asr/whisper/.

Run by hand with Debian's Python (torch 1.13, onnx 1.12):
    /usr/bin/python3 scripts/gen-whisper-fixtures.py [mel|model|all]

mel:   log-mel reference features of real speech (jfk.wav, first 3 s), computed with
       torch.stft + a slaney mel filter bank written here after librosa's definition
       (cross-checked against torchaudio's melscale_fbanks), in float64.
model: a tiny Whisper with the architecture and the I/O names/metadata of the
       sherpa-onnx export (encoder: mel -> n_layer_cross_k/v; decoder: tokens, self k/v
       caches, cross k/v, offset -> logits + caches), fixed-seed random weights, a tiny
       vocabulary and tokens file, an INT8 dynamic-quantized variant, and reference
       greedy decodes from the PyTorch model. TEST DATA ONLY: never used at run time.
"""
import hashlib
import json
import math
import os
import sys
import wave

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "asr", "whisper")
EVAL_CANDIDATES = [os.environ.get("PARLEY_EVAL_DIR"), os.path.join(ROOT, "..", "shared", "eval"), "/work/shared/eval"]

N_FFT = 400
HOP = 160
SR = 16000


def eval_dir():
    for c in EVAL_CANDIDATES:
        if c and os.path.exists(os.path.join(c, "jfk", "jfk.wav")):
            return c
    sys.exit("evaluation recordings not found; set PARLEY_EVAL_DIR")


def read_wav(path):
    with wave.open(path) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == SR
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return x.astype(np.float64) / 32768.0


def hz_to_mel(f):
    f = np.asanyarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-300) / min_log_hz) / logstep, mels)


def mel_to_hz(m):
    m = np.asanyarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def slaney_mel(n_mels, n_fft=N_FFT, sr=SR):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, htk=False, norm='slaney')."""
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sr / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]
    w = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        w[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return w * enorm[:, None]


def log_mel(audio, n_mels, padding=0, dtype=torch.float64):
    """openai/whisper audio.log_mel_spectrogram, in the given precision."""
    a = torch.from_numpy(np.asarray(audio)).to(dtype)
    if padding > 0:
        a = torch.nn.functional.pad(a, (0, padding))
    window = torch.hann_window(N_FFT, dtype=dtype)
    stft = torch.stft(a, N_FFT, HOP, window=window, return_complex=True)
    mag = stft[..., :-1].abs() ** 2
    filters = torch.from_numpy(slaney_mel(n_mels)).to(dtype)
    mel = filters @ mag
    log_spec = torch.clamp(mel, min=1e-10).log10()
    log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
    return ((log_spec + 4.0) / 4.0).numpy()


def gen_mel():
    import torchaudio

    for n in (80, 128):
        ta = torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, n, SR, norm="slaney", mel_scale="slaney").T.numpy()
        assert np.allclose(ta, slaney_mel(n), atol=1e-6), f"slaney filters disagree with torchaudio for {n} bins"
    audio = read_wav(os.path.join(eval_dir(), "jfk", "jfk.wav"))[: 3 * SR]
    meta = {"source": "jfk.wav first 3 s (48000 samples), PCM16/32768", "layout": "float32 little-endian, [n_mels][frames]", "files": {}}
    for n in (80, 128):
        ref = log_mel(audio, n)
        ref32 = log_mel(audio.astype(np.float32), n, dtype=torch.float32)
        name = f"mel{n}-jfk3s.f32"
        ref.astype("<f4").tofile(os.path.join(OUT, name))
        meta["files"][name] = {"n_mels": n, "frames": ref.shape[1], "padding": 0,
                               "max_abs_diff_float32_torch_vs_float64": float(np.abs(ref - ref32).max())}
    ref = log_mel(audio, 80, padding=30 * SR)[:, :3000]
    name = "mel80-jfk3s-pad30s-first400.f32"
    ref[:, :400].astype("<f4").tofile(os.path.join(OUT, name))
    meta["files"][name] = {"n_mels": 80, "frames": 400, "padding": 30 * SR,
                           "note": "log_mel_spectrogram(audio, 80, padding=N_SAMPLES)[:, :3000], first 400 frames stored"}
    with open(os.path.join(OUT, "mel-reference.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("mel fixtures written", meta)



# ---------------------------------------------------------------------------------------
# INT8 dynamic quantization written with the onnx package (onnxruntime.quantization is not
# in Debian): every MatMul whose B input is a constant 2-D float initializer becomes
#   DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast -> Mul(A_s * W_s)
# with W quantized per tensor, symmetric int8 (zero point 0), as onnxruntime's
# quantize_dynamic(op_types_to_quantize=["MatMul"], weight_type=QInt8) does.
# Weights use 7 bits (|q| <= 63, like onnxruntime's reduce_range): onnxruntime's x86 U8S8
# kernels without VNNI add pairs of u8*s8 products in saturating int16, so full-range int8
# weights would make its results differ from the exact integer math of the reference.
# Returns {sha256 of W float bytes: (W_q int8 array [in, out], W_scale float32)}.
# ---------------------------------------------------------------------------------------
QMAX_W = 63
def quantize_dynamic_int8(src, dst):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(src)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    new_nodes = []
    quantized = {}
    done = set()
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2:
            new_nodes.append(n)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)
        scale = np.float32(np.abs(W).max() / QMAX_W) if np.abs(W).max() > 0 else np.float32(1.0)
        Wq = np.clip(np.round(W / scale), -QMAX_W, QMAX_W).astype(np.int8)
        base = n.output[0].replace("/", "_").replace(":", "_")
        wq_name, ws_name, wz_name = w.name + "_quantized", w.name + "_scale", w.name + "_zero_point"
        if w.name not in done:
            g.initializer.extend([
                numpy_helper.from_array(Wq, wq_name),
                numpy_helper.from_array(np.array(scale, dtype=np.float32), ws_name),
                numpy_helper.from_array(np.array(0, dtype=np.int8), wz_name),
            ])
            done.add(w.name)
            quantized[hashlib.sha256(W.tobytes()).hexdigest()] = (Wq, scale)
        a_q, a_s, a_z = base + "_a_q", base + "_a_scale", base + "_a_zp"
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [n.input[0]], [a_q, a_s, a_z], name=base + "_dql"),
            helper.make_node("MatMulInteger", [a_q, wq_name, a_z, wz_name], [base + "_int32"], name=base + "_mmi"),
            helper.make_node("Cast", [base + "_int32"], [base + "_f"], to=TensorProto.FLOAT, name=base + "_cast"),
            helper.make_node("Mul", [a_s, ws_name], [base + "_s"], name=base + "_scale_mul"),
            helper.make_node("Mul", [base + "_f", base + "_s"], [n.output[0]], name=base + "_out_mul"),
        ]
        uses[w.name] -= 1
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if not (i.name in done and uses.get(i.name, 0) == 0)]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return quantized


class QLinear(torch.nn.Linear):
    """nn.Linear that can simulate the int8 graph above exactly (for reference decodes)."""

    qweight = None  # (W_q^T int8 [in, out], scale) when simulating

    def forward(self, x):
        if self.qweight is None:
            return torch.nn.functional.linear(x, self.weight, self.bias)
        wq, ws = self.qweight
        xmin = torch.clamp(x.min(), max=0.0)
        xmax = torch.clamp(x.max(), min=0.0)
        s = ((xmax - xmin) / 255.0).to(torch.float32)
        zp = torch.clamp(torch.round(-xmin / s), 0, 255)
        xq = torch.clamp(torch.round(x / s) + zp, 0, 255)
        acc = ((xq - zp).to(torch.int64) @ torch.from_numpy(wq.astype(np.int64))).to(torch.float32)
        y = acc * (s * torch.tensor(ws, dtype=torch.float32))
        return y if self.bias is None else y + self.bias


def set_int8_simulation(module, quantized):
    """Attach (W_q, scale) to each QLinear whose exported MatMul weight (W^T) was quantized;
    matched by value, so Linears the exporter did not turn into MatMul-with-constant stay float."""
    n = 0
    for m in module.modules():
        if isinstance(m, QLinear):
            key = hashlib.sha256(m.weight.detach().T.contiguous().numpy().astype(np.float32).tobytes()).hexdigest()
            m.qweight = quantized.get(key) if quantized is not None else None
            n += m.qweight is not None
    return n

# ---------------------------------------------------------------------------------------
# A tiny Whisper (same block structure as openai/whisper model.py) and the sherpa-onnx
# export wrappers (encoder -> stacked cross k/v; decoder with self k/v caches and offset).
# ---------------------------------------------------------------------------------------
EMB_STD = float(os.environ.get("FIXTURE_EMB_STD", "0.3"))
LIN_GAIN = float(os.environ.get("FIXTURE_LIN_GAIN", "4.0"))
DIMS = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=1,
            n_vocab=64, n_text_ctx=64, n_text_state=32, n_text_head=2, n_text_layer=2)
# Tiny vocabulary of 64 ids: the specials below and 50 text tokens on the other ids up to 50,
# which are the only ones listed in the tokens file, as in sherpa's files. The end token is
# chosen per seed among ids 0..50 (see export_and_reference) so that some decodes end early.
TEXT_TOKENS = [" ", " the", " a", " and", " so", " my", " fellow", " ask", " not", " what", " your", " country",
               " can", " do", " for", " you", " we", " go", " to", " moon", "s", "ing", "ed", "er", " is",
               " it", " of", " in", " on", " at", ".", ",", "!", "?", " he", " she", " they", " was", " were",
               " will", "\u00e9", " caf", "e", " ni", "\u00f1o", " \u00fc", "ber", " day", " night", " time"]
SPECIAL = dict(eot=50, sot=51, lang_en=52, lang_de=53, translate=54, transcribe=55, sot_lm=56, sot_prev=57,
               no_speech=58, no_timestamps=59)


def sinusoids(length, channels, max_timescale=10000):
    inc = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-inc * torch.arange(channels // 2))
    t = torch.arange(length)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1)


class MHA(torch.nn.Module):
    def __init__(self, n_state, n_head):
        super().__init__()
        self.n_head = n_head
        self.query = QLinear(n_state, n_state)
        self.key = QLinear(n_state, n_state, bias=False)
        self.value = QLinear(n_state, n_state)
        self.out = QLinear(n_state, n_state)

    def attend(self, q, k, v, mask=None):
        n_ctx, n_state = q.shape[1], q.shape[2]
        scale = (n_state // self.n_head) ** -0.25
        q = q.view(q.shape[0], q.shape[1], self.n_head, -1).permute(0, 2, 1, 3) * scale
        k = k.view(k.shape[0], k.shape[1], self.n_head, -1).permute(0, 2, 3, 1) * scale
        v = v.view(v.shape[0], v.shape[1], self.n_head, -1).permute(0, 2, 1, 3)
        qk = q @ k
        if mask is not None:
            qk = qk + mask[:n_ctx, :n_ctx]
        w = torch.softmax(qk.float(), dim=-1)
        return (w @ v).permute(0, 2, 1, 3).flatten(start_dim=2)


class Block(torch.nn.Module):
    def __init__(self, n_state, n_head, cross):
        super().__init__()
        self.attn = MHA(n_state, n_head)
        self.attn_ln = torch.nn.LayerNorm(n_state)
        self.cross_attn = MHA(n_state, n_head) if cross else None
        self.cross_attn_ln = torch.nn.LayerNorm(n_state) if cross else None
        self.mlp = torch.nn.Sequential(QLinear(n_state, 4 * n_state), torch.nn.GELU(), QLinear(4 * n_state, n_state))
        self.mlp_ln = torch.nn.LayerNorm(n_state)

    def forward_encoder(self, x):
        h = self.attn_ln(x)
        x = x + self.attn.out(self.attn.attend(self.attn.query(h), self.attn.key(h), self.attn.value(h)))
        return x + self.mlp(self.mlp_ln(x))


class TinyWhisper(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.d = d
        self.conv1 = torch.nn.Conv1d(d["n_mels"], d["n_audio_state"], 3, padding=1)
        self.conv2 = torch.nn.Conv1d(d["n_audio_state"], d["n_audio_state"], 3, stride=2, padding=1)
        self.register_buffer("audio_pos", sinusoids(d["n_audio_ctx"], d["n_audio_state"]))
        self.enc_blocks = torch.nn.ModuleList([Block(d["n_audio_state"], d["n_audio_head"], False) for _ in range(d["n_audio_layer"])])
        self.ln_post = torch.nn.LayerNorm(d["n_audio_state"])
        self.token_embedding = torch.nn.Embedding(d["n_vocab"], d["n_text_state"])
        self.text_pos = torch.nn.Parameter(torch.randn(d["n_text_ctx"], d["n_text_state"]) * 0.1)
        self.dec_blocks = torch.nn.ModuleList([Block(d["n_text_state"], d["n_text_head"], True) for _ in range(d["n_text_layer"])])
        self.ln = torch.nn.LayerNorm(d["n_text_state"])
        self.register_buffer("mask", torch.empty(d["n_text_ctx"], d["n_text_ctx"]).fill_(-np.inf).triu_(1))


class EncoderExport(torch.nn.Module):
    """mel (1, n_mels, T) -> n_layer_cross_k, n_layer_cross_v (n_text_layer, 1, T/2, n_text_state)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, mel):
        m = self.m
        x = torch.nn.functional.gelu(m.conv1(mel))
        x = torch.nn.functional.gelu(m.conv2(x))
        x = x.permute(0, 2, 1)
        x = x + m.audio_pos[: x.shape[1]]
        for b in m.enc_blocks:
            x = b.forward_encoder(x)
        x = m.ln_post(x)
        ks = [b.cross_attn.key(x) for b in m.dec_blocks]
        vs = [b.cross_attn.value(x) for b in m.dec_blocks]
        return torch.stack(ks), torch.stack(vs)


class DecoderExport(torch.nn.Module):
    """tokens, in_n_layer_self_k/v_cache, n_layer_cross_k/v, offset -> logits, out caches."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, tokens, k_cache, v_cache, cross_k, cross_v, offset):
        m = self.m
        n = tokens.shape[-1]
        x = m.token_embedding(tokens) + m.text_pos[offset[0] : offset[0] + n]
        for i, b in enumerate(m.dec_blocks):
            h = b.attn_ln(x)
            q, k, v = b.attn.query(h), b.attn.key(h), b.attn.value(h)
            kc = k_cache[i, :, : offset[0] + n, :]
            vc = v_cache[i, :, : offset[0] + n, :]
            kc[:, -k.shape[1]:, :] = k
            vc[:, -v.shape[1]:, :] = v
            x = x + b.attn.out(b.attn.attend(q, kc, vc, m.mask))
            k_cache[i, :, : offset[0] + n, :] = kc
            v_cache[i, :, : offset[0] + n, :] = vc
            h = b.cross_attn_ln(x)
            x = x + b.cross_attn.out(b.cross_attn.attend(b.cross_attn.query(h), cross_k[i], cross_v[i]))
            x = x + b.mlp(b.mlp_ln(x))
        x = m.ln(x)
        logits = torch.matmul(m.token_embedding.weight, x.permute(0, 2, 1)).permute(0, 2, 1).float()
        return logits, k_cache, v_cache


def metadata(d):
    sp = SPECIAL
    return {
        "model_type": "whisper-tiny-fixture", "version": "1", "maintainer": "parley-test-fixture",
        **{k: d[k] for k in d},
        "sot_sequence": f"{sp['sot']},{sp['lang_en']},{sp['transcribe']}",
        "all_language_tokens": f"{sp['lang_en']},{sp['lang_de']}", "all_language_codes": "en,de",
        "sot": sp["sot"], "sot_index": 0, "eot": sp["eot"], "blank_id": 0, "is_multilingual": 1,
        "no_speech": sp["no_speech"], "non_speech_tokens": "", "transcribe": sp["transcribe"],
        "translate": sp["translate"], "sot_prev": sp["sot_prev"], "sot_lm": sp["sot_lm"],
        "no_timestamps": sp["no_timestamps"],
    }


@torch.no_grad()
def greedy(enc, dec, mel, audio_frames, language, task, d):
    """The sherpa-onnx greedy loop (language detection, sot sequence, no_timestamps, 6 tokens/s
    cap), run without an end token: returns every step's argmax, its log-probability and its
    margin over the runner-up, so that the end token can be chosen afterwards (truncating at
    its first occurrence is exactly what decoding with that end token would give)."""
    sp = SPECIAL
    cross_k, cross_v = enc(mel)
    L, C, S = d["n_text_layer"], d["n_text_ctx"], d["n_text_state"]
    zeros = lambda: torch.zeros(L, 1, C, S)
    lang_margin = None
    if language == "auto":
        logits, _, _ = dec(torch.tensor([[sp["sot"]]]), zeros(), zeros(), cross_k, cross_v, torch.tensor([0]))
        langs = [sp["lang_en"], sp["lang_de"]]
        lang = max(langs, key=lambda t: float(logits[0, -1, t]))
        lv = sorted([float(logits[0, -1, t]) for t in langs])
        lang_margin = lv[-1] - lv[-2]
    else:
        lang = {"en": sp["lang_en"], "de": sp["lang_de"]}[language]
    initial = [sp["sot"], lang, sp["translate"] if task == "translate" else sp["transcribe"], sp["no_timestamps"]]
    logits, kc, vc = dec(torch.tensor([initial]), zeros(), zeros(), cross_k, cross_v, torch.tensor([0]))
    no_speech_prob = float(torch.softmax(logits[0, 0].double(), -1)[sp["no_speech"]])
    offset = len(initial)
    row = logits[0, -1]
    cap = min(int(audio_frames / 100.0 * 6), C // 2)
    steps = []
    for _ in range(cap):
        top = torch.topk(row, 2)
        tok = int(top.indices[0])
        steps.append((tok, float(torch.log_softmax(row.double(), -1)[tok]), float(top.values[0] - top.values[1])))
        logits, kc, vc = dec(torch.tensor([[tok]]), kc, vc, cross_k, cross_v, torch.tensor([offset]))
        offset += 1
        if offset >= C - 1:
            break
        row = logits[0, -1]
    return {"steps": steps, "language": {sp["lang_en"]: "en", sp["lang_de"]: "de"}[lang],
            "no_speech_prob": no_speech_prob, "lang_margin": lang_margin}


def truncate(run, eot):
    """The decode result with end token `eot`, and the smallest argmax margin it relied on."""
    tokens, logp, margins = [], 0.0, [run["lang_margin"]] if run["lang_margin"] is not None else []
    for tok, lp, margin in run["steps"]:
        margins.append(margin)
        if tok == eot:
            break
        tokens.append(tok)
        logp += lp
    return {"tokens": tokens, "language": run["language"], "no_speech_prob": run["no_speech_prob"],
            "sum_logprob": logp, "min_margin": min(margins) if margins else None}


def build_model(seed):
    torch.manual_seed(seed)
    m = TinyWhisper(DIMS).eval()
    with torch.no_grad():
        # Scaled so that the decoder output depends on the audio and the history rather than
        # echoing the input token (a plain random init gives a constant token sequence).
        m.token_embedding.weight.normal_(0, EMB_STD)
        for blk in m.dec_blocks:
            for lin in blk.modules():
                if isinstance(lin, QLinear):
                    lin.weight.mul_(LIN_GAIN)
    return m


# Seeds are searched so that every reference decode has a clear argmax at every step (so
# float rounding differences between PyTorch and onnxruntime cannot flip a token), at least
# one decode ends with eot after 1+ tokens and one emits 4+ tokens with 3+ distinct ones.
# int8 needs more: a 1e-7 float difference between PyTorch and onnxruntime can move an
# activation across a quantization step, which shifts logits by up to ~0.05 here.
MIN_MARGIN = {"fp32": 0.02, "int8": 0.12}


def gen_model():
    for seed in range(int(os.environ.get("FIXTURE_SEED", "0")), 200):
        ok = export_and_reference(seed)
        if ok:
            print("chosen seed", seed)
            return
    sys.exit("no seed satisfied the margin criteria")


def export_and_reference(seed):
    import onnx

    d = DIMS
    m = build_model(seed)
    enc, dec = EncoderExport(m).eval(), DecoderExport(m).eval()
    mel0 = torch.zeros(1, d["n_mels"], 200)
    enc_path = os.path.join(OUT, "tiny-encoder.onnx")
    dec_path = os.path.join(OUT, "tiny-decoder.onnx")
    torch.onnx.export(enc, mel0, enc_path, opset_version=13, input_names=["mel"],
                      output_names=["n_layer_cross_k", "n_layer_cross_v"],
                      dynamic_axes={"mel": {0: "n_audio", 2: "T"}, "n_layer_cross_k": {1: "n_audio", 2: "T"},
                                    "n_layer_cross_v": {1: "n_audio", 2: "T"}})
    ck, cv = enc(mel0)
    L, C, S = d["n_text_layer"], d["n_text_ctx"], d["n_text_state"]
    args = (torch.tensor([[SPECIAL["sot"]]]), torch.zeros(L, 1, C, S), torch.zeros(L, 1, C, S), ck, cv, torch.tensor([3]))
    torch.onnx.export(dec, args, dec_path, opset_version=13,
                      input_names=["tokens", "in_n_layer_self_k_cache", "in_n_layer_self_v_cache", "n_layer_cross_k",
                                   "n_layer_cross_v", "offset"],
                      output_names=["logits", "out_n_layer_self_k_cache", "out_n_layer_self_v_cache"],
                      dynamic_axes={"tokens": {0: "n_audio", 1: "n_tokens"}, "in_n_layer_self_k_cache": {1: "n_audio"},
                                    "in_n_layer_self_v_cache": {1: "n_audio"}, "n_layer_cross_k": {1: "n_audio", 2: "T"},
                                    "n_layer_cross_v": {1: "n_audio", 2: "T"}})
    q_enc = quantize_dynamic_int8(enc_path, os.path.join(OUT, "tiny-encoder.int8.onnx"))
    q_dec = quantize_dynamic_int8(dec_path, os.path.join(OUT, "tiny-decoder.int8.onnx"))

    audio = read_wav(os.path.join(eval_dir(), "jfk", "jfk.wav"))
    cases = [
        {"name": "jfk-0-3s-auto", "start": 0, "end": 3 * SR, "language": "auto", "task": "transcribe"},
        {"name": "jfk-0-3s-de-translate", "start": 0, "end": 3 * SR, "language": "de", "task": "translate"},
        {"name": "jfk-5-8s-en", "start": 5 * SR, "end": 8 * SR, "language": "en", "task": "transcribe"},
    ]
    runs = []
    for c in cases:
        clip = audio[c["start"] : c["end"]]
        feats = log_mel(clip, d["n_mels"]).astype(np.float32)
        frames = feats.shape[1]
        total = min(frames + 1000, 3000)
        mel = np.zeros((1, d["n_mels"], total), dtype=np.float32)
        mel[0, :, :frames] = feats
        mel_t = torch.from_numpy(mel)
        entry = {}
        for precision, qe, qd in (("fp32", None, None), ("int8", q_enc, q_dec)):
            n_q = set_int8_simulation(enc, qe) + set_int8_simulation(dec, qd)
            entry[precision] = greedy(enc, dec, mel_t, frames, c["language"], c["task"], d)
            entry[precision]["quantized_linears"] = n_q
        set_int8_simulation(enc, None)
        set_int8_simulation(dec, None)
        runs.append(entry)
    reserved = set(SPECIAL.values()) - {SPECIAL["eot"]}
    chosen = None
    for eot in range(51):
        if eot in reserved:
            continue
        res = [truncate(e[p], eot) for e in runs for p in ("fp32", "int8")]
        precs = ["fp32", "int8"] * len(runs)
        margins_ok = all(r["min_margin"] is None or r["min_margin"] >= MIN_MARGIN[p] for r, p in zip(res, precs))
        ends = any(1 <= len(r["tokens"]) < len(e["fp32"]["steps"]) for r, e in zip(res, [x for x in runs for _ in (0, 1)]))
        varied = any(len(r["tokens"]) >= 4 and len(set(r["tokens"])) >= 3 for r in res)
        if margins_ok and ends and varied:
            chosen = eot
            break
    if chosen is None:
        print("seed", seed, "rejected")
        return False
    SPECIAL["eot"] = chosen
    ref = {"dims": d, "special": dict(SPECIAL), "tail_padding_frames": 1000, "seed": seed, "min_margin": MIN_MARGIN, "cases": []}
    for c, e in zip(cases, runs):
        entry = dict(c)
        for p in ("fp32", "int8"):
            entry[p] = truncate(e[p], chosen)
            entry[p]["quantized_linears"] = e[p]["quantized_linears"]
            print(c["name"], p, entry[p])
        ref["cases"].append(entry)
    model = onnx.load(enc_path)
    for k, v in metadata(d).items():
        ent = model.metadata_props.add()
        ent.key, ent.value = k, str(v)
    onnx.save(model, enc_path)
    q_enc2 = quantize_dynamic_int8(enc_path, os.path.join(OUT, "tiny-encoder.int8.onnx"))
    assert q_enc2.keys() == q_enc.keys()
    import base64

    with open(os.path.join(OUT, "tiny-tokens.txt"), "w") as f:
        text_ids = [i for i in range(51) if i not in SPECIAL.values()]
        assert len(text_ids) == len(TEXT_TOKENS)
        for i, t in zip(text_ids, TEXT_TOKENS):
            f.write(f"{base64.b64encode(t.encode('utf-8')).decode()} {i}\n")
    with open(os.path.join(OUT, "tiny-reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    for n in ("tiny-encoder.onnx", "tiny-decoder.onnx", "tiny-encoder.int8.onnx", "tiny-decoder.int8.onnx"):
        print(n, os.path.getsize(os.path.join(OUT, n)))
    return True

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part in ("mel", "all"):
        gen_mel()
    if part in ("model", "all"):
        gen_model()
