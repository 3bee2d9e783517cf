import type { EngineFactory } from './engine.js';

/**
 * Engine kinds the inference child can load. Each entry imports its module lazily so
 * that the child only pays for what it uses. Add one line per engine kind.
 */
export const ENGINE_LOADERS: Record<string, () => Promise<EngineFactory>> = {
  'ota.vad-probe': async () => (await import('../ota/vad-probe-engine.js')).createVadProbeEngine,
  'test.echo': async () => (await import('./test-echo-engine.js')).createEchoEngine,
  'asr.transducer': async () => (await import('../asr/transducer-engine.js')).createTransducerEngine,
  'asr.whisper': async () => (await import('../asr/whisper-engine.js')).createWhisperEngine,
  'asr.moonshine': async () => (await import('../asr/moonshine-engine.js')).createMoonshineEngine,
  'vad.silero': async () => (await import('../vad/silero-engine.js')).createSileroEngine,
  'diarization.embedding': async () => (await import('../diarization/neural-embedding.js')).createEmbeddingEngine,
  'diarization.segmentation': async () => (await import('../diarization/segmentation.js')).createSegmentationEngine,
};
