import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

export const AudioSection = Type.Object(
  {
    source: StringEnum(['alsa', 'file', 'stdin'] as const, {
      default: 'alsa',
      description: 'Where audio comes from: alsa (arecord on audio.device), file (a WAV file, audio.file) or stdin (raw s16le mono at audio.stdin_rate_hz).',
    }),
    device: Type.String({ default: 'default', description: 'ALSA capture device name passed to arecord -D (e.g. default, hw:1,0, plughw:1,0).' }),
    file: Type.String({ default: '', description: 'WAV file to read when source is file.' }),
    file_realtime: Type.Boolean({ default: false, description: 'Pace a file source at real-time speed (simulates a microphone).' }),
    file_loop: Type.Boolean({ default: false, description: 'Loop a file source forever (soak tests and demos).' }),
    capture_rate_hz: Type.Integer({ default: 16000, minimum: 8000, maximum: 192000, description: 'Sample rate requested from ALSA; audio is resampled to 16 kHz.' }),
    capture_channels: Type.Integer({ default: 1, minimum: 1, maximum: 8, description: 'Channels requested from ALSA; audio is down-mixed to mono.' }),
    stdin_rate_hz: Type.Integer({ default: 16000, minimum: 8000, maximum: 192000, description: 'Sample rate of raw s16le mono audio on stdin.' }),
    frame_ms: Type.Integer({ default: 32, minimum: 32, maximum: 32, description: 'Frame size in ms at 16 kHz (512 samples), fixed by the VAD.' }),
    max_buffered_ms: Type.Integer({
      default: 30000, minimum: 1000, maximum: 600000,
      description: 'Bound on audio buffered between capture and processing; beyond it the oldest frames are dropped and counted.',
    }),
    restart_backoff_initial_ms: Type.Integer({ default: 500, minimum: 10, maximum: 60000, description: 'First delay before restarting a dead or stalled arecord.' }),
    restart_backoff_max_ms: Type.Integer({ default: 30000, minimum: 100, maximum: 600000, description: 'Largest restart delay (exponential backoff with jitter).' }),
    stall_timeout_ms: Type.Integer({ default: 3000, minimum: 200, maximum: 60000, description: 'No audio bytes for this long means the capture is stalled; it is restarted.' }),
  },
  { additionalProperties: false, default: {}, description: 'Audio capture. Everything is converted to 16 kHz mono float32 frames.' },
);
