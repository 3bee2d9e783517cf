import type { SpeechSegment } from '../../src/pipeline/types.js';
import { defaultConfig } from '../../src/config/load.js';
import { Segmenter } from '../../src/vad/segmenter.js';
import { SileroVadModel } from '../../src/vad/silero-engine.js';
import { sileroFiles } from './ota-silero.js';

/** Speech segments of `samples` from the real Silero VAD v6.2 and the project's segmenter with default vad config. */
export async function sileroSegments(samples: Float32Array): Promise<SpeechSegment[]> {
  const vad = defaultConfig().vad;
  const model = await SileroVadModel.load({ modelPath: sileroFiles().v6, sampleRateHz: 16000 });
  const seg = new Segmenter({
    threshold: vad.threshold, negThreshold: vad.neg_threshold, minSpeechMs: vad.min_speech_ms, minSilenceMs: vad.min_silence_ms,
    speechPadMs: vad.speech_pad_ms, maxSegmentMs: vad.max_segment_ms, sampleRateHz: 16000,
  }, () => 0);
  const W = 512;
  const n = Math.floor(samples.length / W);
  const probs = await model.probs(samples.subarray(0, n * W));
  const windows = Array.from({ length: n }, (_, i) => ({ startSample: i * W, samples: samples.subarray(i * W, (i + 1) * W) }));
  const out: SpeechSegment[] = [];
  for (const e of [...seg.push(windows, probs), ...seg.flush()]) if (e.type === 'speech_end') out.push(e.segment);
  return out;
}
