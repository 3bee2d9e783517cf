import { Type } from '@sinclair/typebox';
import { StringEnum } from '../string-enum.js';

export const StorageSection = Type.Object(
  {
    db_path: Type.String({ default: '/var/lib/parley/parley.db', description: 'SQLite database file (WAL mode).' }),
    audio_dir: Type.String({ default: '/var/lib/parley/audio', description: 'Directory for stored segment audio (when keep_audio is on) and backlog audio.' }),
    keep_audio: Type.Boolean({ default: false, description: 'Store each speech segment as a WAV file next to its row.' }),
    synchronous: StringEnum(['FULL', 'NORMAL'] as const, {
      default: 'FULL',
      description: 'SQLite synchronous mode. FULL: a committed segment survives a power cut (segments are written a few per minute, so the cost is small). NORMAL: survives process crashes, may lose the last commits on power loss.',
    }),
    journal_size_limit_bytes: Type.Integer({ default: 8388608, minimum: 0, description: 'WAL file is truncated to at most this after checkpoints.' }),
    checkpoint_interval_s: Type.Integer({ default: 300, minimum: 5, maximum: 86400, description: 'Periodic wal_checkpoint(TRUNCATE) interval.' }),
    wal_autocheckpoint_pages: Type.Integer({ default: 1000, minimum: 0, maximum: 1000000, description: 'SQLite wal_autocheckpoint: passive checkpoint when the WAL exceeds this many pages (0 disables).' }),
    busy_timeout_ms: Type.Integer({ default: 5000, minimum: 0, maximum: 600000, description: 'How long a connection waits on a lock before SQLITE_BUSY.' }),
  },
  { additionalProperties: false, default: {}, description: 'SQLite storage. Only the supervisor writes the database.' },
);
