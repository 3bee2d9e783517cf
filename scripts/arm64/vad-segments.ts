// Prints the Silero VAD probabilities digest and segments of one WAV file as JSON.
// Run under x64 and arm64 Node by scripts/test-arm64.sh; the two outputs must be equal.
// Usage: node vad-segments.js MODEL.onnx FILE.wav
import { createHash } from 'node:crypto';
import { readWavFile, toMono16k } from '../../src/audio/wav-reader.js';
import { defaultConfig } from '../../src/config/load.js';
import { Segmenter } from '../../src/vad/segmenter.js';
import { SileroVadModel } from '../../src/vad/silero-engine.js';

const [model, wav] = process.argv.slice(2);
if (!model || !wav || process.argv.includes('--help')) {
  console.error('usage: node vad-segments.js MODEL.onnx FILE.wav');
  process.exit(2);
}
const cfg = defaultConfig().vad;
const samples = toMono16k(await readWavFile(wav));
const vad = await SileroVadModel.load({ modelPath: model, sampleRateHz: 16000 }, 1);
const n = Math.floor(samples.length / 512);
const probs = await vad.probs(samples.subarray(0, n * 512));
const seg = new Segmenter({
  threshold: cfg.threshold, negThreshold: cfg.neg_threshold, minSpeechMs: cfg.min_speech_ms, minSilenceMs: cfg.min_silence_ms,
  speechPadMs: cfg.speech_pad_ms, maxSegmentMs: cfg.max_segment_ms, sampleRateHz: 16000,
}, () => 0);
const windows = Array.from({ length: n }, (_, i) => ({ startSample: i * 512, samples: samples.subarray(i * 512, (i + 1) * 512) }));
const events = [...seg.push(windows, probs), ...seg.flush()];
const segments = events.filter((e) => e.type === 'speech_end').map((e) => (e.type === 'speech_end' ? [e.segment.startSample, e.segment.endSample] : []));
console.log(JSON.stringify({
  arch: process.arch,
  windows: n,
  probsSha256: createHash('sha256').update(Buffer.from(probs.buffer)).digest('hex'),
  probsHead: Array.from(probs.subarray(0, 5)),
  segments,
}));
await vad.dispose();
