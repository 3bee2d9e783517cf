/**
 * Whisper log-mel front end, as defined by openai/whisper `audio.py`:
 * STFT with n_fft 400, hop 160, periodic Hann window, centred frames (reflect padding
 * of n_fft/2), the last frame dropped; power spectrum; librosa's slaney mel filter bank
 * (80 or 128 bins, 0-8 kHz, slaney area normalization); log10 clamped at 1e-10; values
 * floored at (max - 8); then (x + 4) / 4.
 *
 * Output layout is mel-major, [nMels][frames] (the encoder's (1, n_mels, T) input).
 * Computed in float64 and returned as float32.
 */
import { Fft } from '../asr/fft.js';

export const WHISPER_SAMPLE_RATE_HZ = 16000;
export const WHISPER_N_FFT = 400;
export const WHISPER_HOP = 160;
/** 30 s of audio: what the original model sees per window. */
export const WHISPER_CHUNK_SAMPLES = 30 * WHISPER_SAMPLE_RATE_HZ;
export const WHISPER_CHUNK_FRAMES = WHISPER_CHUNK_SAMPLES / WHISPER_HOP;

export type WhisperMelBins = 80 | 128;

export interface LogMel {
  /** [nMels][frames], row-major. */
  data: Float32Array;
  nMels: number;
  frames: number;
}

function hzToMelSlaney(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logStep : hz / fSp;
}

function melToHzSlaney(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logStep * (mel - minLogMel)) : fSp * mel;
}

const filterCache = new Map<number, Float64Array>();

/**
 * librosa.filters.mel(sr=16000, n_fft=400, n_mels, fmin=0, fmax=8000, htk=False,
 * norm='slaney'): [nMels][201] triangular filters with slaney area normalization.
 */
export function slaneyMelFilters(nMels: number, nFft = WHISPER_N_FFT, sampleRateHz = WHISPER_SAMPLE_RATE_HZ): Float64Array {
  const key = nMels * 1e6 + nFft;
  const hit = sampleRateHz === WHISPER_SAMPLE_RATE_HZ ? filterCache.get(key) : undefined;
  if (hit) return hit;
  const bins = Math.floor(nFft / 2) + 1;
  const fftFreqs = Float64Array.from({ length: bins }, (_, k) => (k * (sampleRateHz / 2)) / (bins - 1));
  const melMin = hzToMelSlaney(0);
  const melMax = hzToMelSlaney(sampleRateHz / 2);
  const melF = Float64Array.from({ length: nMels + 2 }, (_, i) => melToHzSlaney(melMin + ((melMax - melMin) * i) / (nMels + 1)));
  const w = new Float64Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const dLo = melF[m + 1]! - melF[m]!;
    const dHi = melF[m + 2]! - melF[m + 1]!;
    const enorm = 2 / (melF[m + 2]! - melF[m]!);
    for (let k = 0; k < bins; k++) {
      const lower = (fftFreqs[k]! - melF[m]!) / dLo;
      const upper = (melF[m + 2]! - fftFreqs[k]!) / dHi;
      w[m * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  if (sampleRateHz === WHISPER_SAMPLE_RATE_HZ) filterCache.set(key, w);
  return w;
}

/**
 * Mel power spectrogram [nMels][frames] (before the log), frames = floor(len / 160).
 * Audio shorter than n_fft/2 + 1 samples is zero-padded first (reflect padding needs it).
 */
export function whisperMelPower(samples: Float32Array, nMels: WhisperMelBins): { data: Float64Array; frames: number } {
  const half = WHISPER_N_FFT / 2;
  const x = samples.length > half ? samples : Float32Array.from({ length: half + 1 }, (_, i) => samples[i] ?? 0);
  const len = x.length;
  const frames = Math.floor(len / WHISPER_HOP);
  const bins = WHISPER_N_FFT / 2 + 1;
  const filters = slaneyMelFilters(nMels);
  const fft = new Fft(WHISPER_N_FFT);
  const window = Float64Array.from({ length: WHISPER_N_FFT }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WHISPER_N_FFT));
  const frame = new Float64Array(WHISPER_N_FFT);
  const power = new Float64Array(bins);
  const out = new Float64Array(nMels * frames);
  for (let t = 0; t < frames; t++) {
    const start = t * WHISPER_HOP - half;
    for (let i = 0; i < WHISPER_N_FFT; i++) {
      let j = start + i;
      if (j < 0) j = -j; // reflect (edge sample not repeated), as torch.stft(center=True)
      else if (j >= len) j = 2 * (len - 1) - j;
      frame[i] = x[j]! * window[i]!;
    }
    fft.powerSpectrum(frame, power);
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      const row = m * bins;
      for (let k = 0; k < bins; k++) s += filters[row + k]! * power[k]!;
      out[m * frames + t] = s;
    }
  }
  return { data: out, frames };
}

/** log10(max(x, 1e-10)), floored at max - 8, then (x + 4) / 4, over all values given. */
export function normalizeLogMel(power: Float64Array): Float32Array {
  const out = new Float32Array(power.length);
  let max = -Infinity;
  const logs = new Float64Array(power.length);
  for (let i = 0; i < power.length; i++) {
    const v = Math.log10(Math.max(power[i]!, 1e-10));
    logs[i] = v;
    if (v > max) max = v;
  }
  const floor = max - 8;
  for (let i = 0; i < power.length; i++) out[i] = (Math.max(logs[i]!, floor) + 4) / 4;
  return out;
}

/**
 * openai/whisper `log_mel_spectrogram(audio, n_mels, padding=N_SAMPLES)` followed by
 * taking the first 3000 frames (the first 30 s window of `transcribe`): the audio is
 * extended by 30 s of zeros before the STFT and normalized over the padded whole.
 * Audio longer than 30 s yields its first window only.
 */
export function whisperLogMel30s(samples: Float32Array, nMels: WhisperMelBins): LogMel {
  const padded = new Float32Array(samples.length + WHISPER_CHUNK_SAMPLES);
  padded.set(samples);
  const { data, frames } = whisperMelPower(padded, nMels);
  const norm = normalizeLogMel(data);
  const out = new Float32Array(nMels * WHISPER_CHUNK_FRAMES);
  for (let m = 0; m < nMels; m++) out.set(norm.subarray(m * frames, m * frames + WHISPER_CHUNK_FRAMES), m * WHISPER_CHUNK_FRAMES);
  return { data: out, nMels, frames: WHISPER_CHUNK_FRAMES };
}

/**
 * The sherpa-onnx runtime layout: features of the audio alone (normalized over its own
 * frames), then `tailFrames` frames of 0 (in the normalized domain), at most 3000 frames
 * in total (audio beyond 29.5 s is cut, as sherpa-onnx does).
 */
export function whisperLogMelSherpa(samples: Float32Array, nMels: WhisperMelBins, tailFrames: number, totalFrames?: number): LogMel {
  const maxAudioSamples = (WHISPER_CHUNK_FRAMES - 50) * WHISPER_HOP;
  const audio = samples.length > maxAudioSamples ? samples.subarray(0, maxAudioSamples) : samples;
  const { data, frames } = whisperMelPower(audio, nMels);
  const norm = normalizeLogMel(data);
  const total = totalFrames ?? Math.min(frames + tailFrames, WHISPER_CHUNK_FRAMES);
  const out = new Float32Array(nMels * total);
  const copy = Math.min(frames, total);
  for (let m = 0; m < nMels; m++) out.set(norm.subarray(m * frames, m * frames + copy), m * total);
  return { data: out, nMels, frames: total };
}
