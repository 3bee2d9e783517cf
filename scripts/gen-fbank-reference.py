#!/usr/bin/python3
"""Reference Kaldi fbank features for tests/unit/frontend/kaldi-fbank.test.ts.

Run by hand:  /usr/bin/python3 scripts/gen-fbank-reference.py [EVAL_DIR]
Reads the first 3 s of <EVAL_DIR>/jfk/jfk.wav (real speech, PCM16, 16 kHz) and writes
torchaudio.compliance.kaldi.fbank outputs (float32 little-endian, row-major frames x bins)
plus a JSON index to tests/fixtures/frontend/. The audio itself is not copied: the test
reads the same recording through PARLEY_EVAL_DIR.
"""
import json
import os
import sys
import wave

import numpy as np
import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'frontend')
SECONDS = 3.0

CASES = [
    # name, scale applied to [-1,1] samples, torchaudio kwargs
    ('torchaudio-default', 1.0, dict()),
    ('torchaudio-default-x32768', 32768.0, dict()),
    # sherpa-onnx FeatureExtractor for transducers: normalize_samples=true (no scaling),
    # snip_edges=false, high_freq=-400 (features.cc).
    ('sherpa-transducer', 1.0, dict(high_freq=-400.0, snip_edges=False)),
]


def nemo_librosa_fbank(samples64):
    """NeMo features as kaldi-native-fbank computes them with is_librosa (sherpa-onnx NeMo models):
    Kaldi framing (snip_edges=False, pre-emphasis 0.97, symmetric hann window, no DC removal,
    512-point FFT, power), librosa mel banks = torchaudio melscale_fbanks(norm='slaney',
    mel_scale='slaney') over all 257 bins, log(max(x, FLT_EPSILON))."""
    frames, _ = kaldi._get_window(samples64, 512, 400, 160, 'hanning', 0.42, False, True, 0.0, 0.0, False, 0.97)
    power = torch.fft.rfft(frames).abs().pow(2.0)
    banks = torchaudio.functional.melscale_fbanks(257, 0.0, 8000.0, 80, 16000, norm='slaney', mel_scale='slaney')
    return torch.clamp(power @ banks.double(), min=1.1920928955078125e-07).log()


def eval_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for d in (os.environ.get('PARLEY_EVAL_DIR'), os.path.join(ROOT, '..', 'shared', 'eval'), '/work/shared/eval'):
        if d and os.path.isdir(d):
            return d
    sys.exit('eval dir not found: set PARLEY_EVAL_DIR')


def main():
    path = os.path.join(eval_dir(), 'jfk', 'jfk.wav')
    with wave.open(path, 'rb') as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        n = int(SECONDS * 16000)
        pcm = np.frombuffer(w.readframes(n), dtype='<i2')
    # float64 input makes torchaudio compute the signal path in double precision (its mel bank
    # weights stay float32, as in Kaldi); the TS implementation also computes in double.
    # torchaudio's own float32 path differs from this by up to ~6e-5 relative (rounding noise).
    samples = torch.from_numpy(pcm.astype(np.float64) / 32768.0)
    os.makedirs(OUT, exist_ok=True)
    index = {'source': 'jfk/jfk.wav', 'numSamples': int(samples.numel()), 'torchaudio': torchaudio.__version__,
             'torch': torch.__version__, 'cases': []}
    for name, scale, kw in CASES:
        feats = kaldi.fbank((samples * scale).unsqueeze(0), num_mel_bins=80, frame_length=25.0, frame_shift=10.0,
                            dither=0.0, energy_floor=0.0, sample_frequency=16000.0, window_type='povey',
                            preemphasis_coefficient=0.97, remove_dc_offset=True, low_freq=20.0, **kw)
        f32 = kaldi.fbank((samples * scale).float().unsqueeze(0), num_mel_bins=80, dither=0.0, energy_floor=0.0, **kw)
        noise = float(((f32.double() - feats).abs() / feats.abs().clamp(min=1.0)).max())
        f = os.path.join(OUT, f'fbank-{name}.f32')
        feats.numpy().astype('<f4').tofile(f)
        index['cases'].append({'name': name, 'scale': scale, 'kwargs': kw, 'file': os.path.basename(f),
                               'frames': int(feats.shape[0]), 'float32VsFloat64RelErr': noise, 'bins': int(feats.shape[1])})
        print(name, tuple(feats.shape), float(feats.min()), float(feats.max()))
    feats = nemo_librosa_fbank(samples)
    f = os.path.join(OUT, 'fbank-nemo-librosa.f32')
    feats.numpy().astype('<f4').tofile(f)
    index['cases'].append({'name': 'nemo-librosa', 'scale': 1.0, 'kwargs': {'nemo': True}, 'file': os.path.basename(f),
                           'frames': int(feats.shape[0]), 'bins': int(feats.shape[1])})
    print('nemo-librosa', tuple(feats.shape), float(feats.min()), float(feats.max()))
    with open(os.path.join(OUT, 'fbank-reference.json'), 'w') as fh:
        json.dump(index, fh, indent=1)


if __name__ == '__main__':
    main()
