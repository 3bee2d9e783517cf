/** Internal audio format: 16 kHz mono float32 in [-1, 1]. */
export const SAMPLE_RATE_HZ = 16000;
/** Fixed frame size: 32 ms at 16 kHz (the Silero VAD chunk). */
export const FRAME_SAMPLES = 512;

export interface AudioFrame {
  /** FRAME_SAMPLES samples, 16 kHz mono float32. */
  samples: Float32Array;
  /** Index of the first sample since the source started (monotonic sample clock). */
  startSample: number;
}

/** A gap in the audio (capture restart, dropped frames). */
export interface AudioGap {
  startSample: number;
  durationMs: number;
  reason: string;
}

export interface AudioSourceStats {
  framesEmitted: number;
  framesDropped: number;
  restarts: number;
  gaps: number;
}

/**
 * A source of fixed-size frames. `frames()` yields until the source ends (file) or
 * the signal aborts (live). Live sources restart their capture process themselves and
 * report gaps through `onGap`.
 */
export interface AudioSource {
  readonly kind: 'alsa' | 'file' | 'stdin';
  frames(signal: AbortSignal): AsyncIterable<AudioFrame>;
  /**
   * Live sources: frames already captured and waiting to be taken from `frames()`. The
   * pipeline hands such frames to the VAD together with the current one (one IPC call per
   * capture read instead of one per 32 ms frame) without waiting for any frame to arrive.
   */
  readyFrames?(): number;
  onGap?: (gap: AudioGap) => void;
  stats(): AudioSourceStats;
}
