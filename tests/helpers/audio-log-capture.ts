/** tests/helpers/audio-log-capture.ts — a real pino logger whose records are parsed into an array. */
import { createLogger } from '../../src/util/logger.js';
import type { Logger } from '../../src/util/logger.js';

export interface LogRecord {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export function captureLogger(level = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const root = createLogger({ level, destination: { write: (s: string) => void records.push(JSON.parse(s) as LogRecord) } });
  return { logger: root.child('audio'), records };
}
