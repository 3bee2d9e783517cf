/**
 * Kaldi/torchaudio triangular mel filter banks (mel = 1127·ln(1 + f/700)), stored sparsely:
 * for each bank the first FFT bin with non-zero weight and the weights from there on.
 * The Nyquist bin always has weight 0, as in Kaldi.
 *
 * Kaldi (BaseFloat) and torchaudio (float32 tensors, even for float64 input) compute the bank
 * weights in single precision; the arithmetic below rounds to float32 at the same steps so the
 * weights are bit-compatible (this matters at 1e-4 for low-energy bins).
 */
export interface MelBank {
  start: number;
  weights: Float64Array;
}

export function melScale(freqHz: number): number {
  return 1127 * Math.log(1 + freqHz / 700);
}

export function buildMelBanks(numBins: number, paddedWindow: number, sampleRateHz: number, lowFreqHz: number, highFreqHz: number): MelBank[] {
  if (!Number.isInteger(numBins) || numBins <= 3) throw new RangeError('mel banks: numBins must be an integer > 3');
  const nyquist = sampleRateHz / 2;
  const high = highFreqHz <= 0 ? highFreqHz + nyquist : highFreqHz;
  if (!(lowFreqHz >= 0 && lowFreqHz < nyquist && high > 0 && high <= nyquist && lowFreqHz < high)) {
    throw new RangeError(`mel banks: bad lowFreq ${lowFreqHz} / highFreq ${highFreqHz} for nyquist ${nyquist}`);
  }
  const numFftBins = paddedWindow / 2;
  const binWidth = sampleRateHz / paddedWindow;
  const melLow = melScale(lowFreqHz);
  const melHigh = melScale(high);
  const delta = (melHigh - melLow) / (numBins + 1);
  const banks: MelBank[] = [];
  const f = Math.fround;
  const melOfBin = new Float64Array(numFftBins);
  for (let i = 0; i < numFftBins; i++) melOfBin[i] = f(1127 * f(Math.log(f(1 + f(f(binWidth * i) / 700)))));
  for (let b = 0; b < numBins; b++) {
    // torch rounds the Python scalars to float32 before the tensor arithmetic.
    const left = f(f(melLow) + f(b * f(delta)));
    const center = f(f(melLow) + f((b + 1) * f(delta)));
    const right = f(f(melLow) + f((b + 2) * f(delta)));
    const w: number[] = [];
    let start = -1;
    for (let i = 0; i < numFftBins; i++) {
      const m = melOfBin[i];
      const v = Math.max(0, Math.min(f(f(m - left) / f(center - left)), f(f(right - m) / f(right - center))));
      if (v > 0) {
        if (start < 0) start = i;
        while (w.length < i - start) w.push(0);
        w.push(v);
      }
    }
    banks.push({ start: Math.max(0, start), weights: Float64Array.from(w) });
  }
  return banks;
}

function slaneyMel(hz: number): number {
  return hz < 1000 ? (3 * hz) / 200 : 15 + (Math.log(hz / 1000) * 27) / Math.log(6.4);
}

function slaneyHz(mel: number): number {
  return mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp(((mel - 15) * Math.log(6.4)) / 27);
}

/**
 * librosa-style banks (`librosa.filters.mel` defaults: Slaney mel scale, triangles in Hz,
 * Slaney area normalisation 2/(right−left)), as kaldi-native-fbank builds them with
 * `is_librosa` (used by sherpa-onnx for NeMo models). Unlike Kaldi banks, the Nyquist bin is
 * included.
 */
export function buildLibrosaMelBanks(numBins: number, paddedWindow: number, sampleRateHz: number, lowFreqHz: number, highFreqHz: number, slaneyNorm = true): MelBank[] {
  if (!Number.isInteger(numBins) || numBins <= 3) throw new RangeError('mel banks: numBins must be an integer > 3');
  const nyquist = sampleRateHz / 2;
  const high = highFreqHz <= 0 ? highFreqHz + nyquist : highFreqHz;
  if (!(lowFreqHz >= 0 && lowFreqHz < nyquist && high > 0 && high <= nyquist && lowFreqHz < high)) {
    throw new RangeError(`mel banks: bad lowFreq ${lowFreqHz} / highFreq ${highFreqHz} for nyquist ${nyquist}`);
  }
  const binWidth = sampleRateHz / paddedWindow;
  const melLow = slaneyMel(lowFreqHz);
  const delta = (slaneyMel(high) - melLow) / (numBins + 1);
  const banks: MelBank[] = [];
  for (let b = 0; b < numBins; b++) {
    const left = slaneyHz(melLow + b * delta);
    const center = slaneyHz(melLow + (b + 1) * delta);
    const right = slaneyHz(melLow + (b + 2) * delta);
    const norm = slaneyNorm ? 2 / (right - left) : 1;
    const w: number[] = [];
    let start = -1;
    for (let i = 0; i <= paddedWindow / 2; i++) {
      const hz = binWidth * i;
      const v = Math.max(0, Math.min((hz - left) / (center - left), (right - hz) / (right - center)));
      if (v > 0) {
        if (start < 0) start = i;
        while (w.length < i - start) w.push(0);
        w.push(v * norm);
      }
    }
    if (start < 0) throw new RangeError(`mel banks: bin ${b} is empty (too many bins for the FFT size?)`);
    banks.push({ start, weights: Float64Array.from(w) });
  }
  return banks;
}
