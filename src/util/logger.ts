import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Per-component levels, e.g. `{ asr: 'debug' }`. */
  levels?: Readonly<Record<string, string>>;
  /** Defaults to a synchronous stdout destination so the last lines before exit survive. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

const REDACT = ['password', 'token', '*.password', '*.token', '*.secret', 'secret'];

/**
 * Root logger: NDJSON to stdout (journald captures it). `msg` is a stable event key
 * such as `segment.stored`; transcripts are only ever logged at debug.
 */
export function createLogger(opts: LoggerOptions = {}): RootLogger {
  const dest = opts.destination ?? pino.destination({ fd: 1, sync: true });
  const root = pino(
    {
      level: opts.level ?? 'info',
      base: opts.base ?? { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
  const levels = opts.levels ?? {};
  return {
    root,
    child(component: string): Logger {
      const child = root.child({ c: component });
      const lvl = levels[component];
      if (lvl) child.level = lvl;
      return child;
    },
  };
}

export interface RootLogger {
  root: Logger;
  child(component: string): Logger;
}

/** A logger that drops everything; for unit tests and library use. */
export function silentLogger(): RootLogger {
  const root = pino({ level: 'silent' });
  return { root, child: () => root };
}

/** Logger writing to stderr: for CLI commands whose stdout is data (e.g. `transcribe --json`). */
export function stderrLogger(level = 'warn'): RootLogger {
  return createLogger({ level, destination: pino.destination({ fd: 2, sync: true }) });
}
