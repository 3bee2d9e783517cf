import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

/** Identity of this board; used in MQTT topics, events and the database. */
export const DeviceSection = Type.Object(
  {
    id: Type.String({
      default: '',
      description: 'Device id used in MQTT topics (parley/<id>/...). Empty means the hostname.',
      pattern: '^[A-Za-z0-9_.-]*$',
    }),
    class: Type.String({
      default: 'generic',
      description: 'Device class for OTA compatibility checks, e.g. rpi5, rpi4, jetson-orin-nano, generic.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Device identity.' },
);

export const LogSection = Type.Object(
  {
    level: StringEnum(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      { default: 'info', description: 'Root log level. Transcripts are only logged at debug.' },
    ),
    levels: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Per-component log levels, e.g. {asr: debug, mqtt: warn}.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Structured JSON logs on stdout (journald).' },
);

export const InferenceSection = Type.Object(
  {
    request_timeout_ms: Type.Integer({
      default: 10000, minimum: 100, maximum: 600000,
      description: 'A request to the inference child without an answer after this long counts as stuck; the child is restarted.',
    }),
    load_timeout_ms: Type.Integer({
      default: 60000, minimum: 1000, maximum: 600000,
      description: 'Maximum time for the inference child to start and load its models.',
    }),
    max_restarts: Type.Integer({
      default: 5, minimum: 1, maximum: 100,
      description: 'Restarts allowed within restart_window_s before inference is reported degraded instead of restarted again.',
    }),
    restart_window_s: Type.Integer({
      default: 60, minimum: 1, maximum: 3600,
      description: 'Window for max_restarts, in seconds.',
    }),
    intra_op_threads: Type.Integer({
      default: 1, minimum: 1, maximum: 16,
      description: 'onnxruntime intra-op threads per session (spinning is always off).',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The inference child process that runs all onnxruntime work.' },
);
