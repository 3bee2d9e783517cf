import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../../config/load.js';
import type { FrozenConfig } from '../../config/schema.js';
import { writeFileAtomic } from '../../platform/atomic-file.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { ConfigError, formatConfigIssue, type ConfigIssue } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

/** Bound on a graceful stop; systemd's TimeoutStopSec is larger. */
export const STOP_TIMEOUT_MS = 10000;

const command: Command = {
  name: 'run',
  summary: 'run the service in the foreground (capture, VAD, ASR, storage, MQTT)',
  help: [
    'usage: parley run [--config FILE] [--validate-config] [--print-config]',
    '',
    'Starts the supervisor: capture -> VAD -> diarization -> ASR -> SQLite -> MQTT.',
    'Logs are JSON lines on stdout. SIGTERM/SIGINT stop it cleanly within 10 s: capture',
    'closes, queued segments are finished, the session ends, SQLite is checkpointed and closed.',
    '',
    'If FILE is invalid the service starts in safe mode from FILE.last-good (written after',
    'every successful start) and reports status state "safe_mode" with the errors; without a',
    'last-good copy it exits 1 after printing every error.',
    '',
    'options:',
    '  --config FILE      config file (default /etc/parley/config.yaml if it exists, else defaults)',
    '  --validate-config  only validate the config and exit (0 valid, 1 invalid)',
    '  --print-config     print the effective config as JSON and exit',
  ].join('\n'),
  async run(argv) {
    const { flags } = parseArgs(argv, { config: 'string', 'validate-config': 'boolean', 'print-config': 'boolean' });
    const file = flags.config ? String(flags.config) : existsSync('/etc/parley/config.yaml') ? '/etc/parley/config.yaml' : undefined;
    let cfg: FrozenConfig;
    let safeErrors: ConfigIssue[] | undefined;
    try {
      cfg = loadConfig(file).config;
    } catch (e) {
      if (!(e instanceof ConfigError) || flags['validate-config'] || !file) throw e;
      const lastGood = `${file}.last-good`;
      if (!existsSync(lastGood)) {
        for (const i of e.issues) process.stderr.write(`${formatConfigIssue(i)}\n`);
        throw e;
      }
      safeErrors = [...e.issues];
      cfg = loadConfig(lastGood).config;
    }
    if (flags['validate-config']) {
      process.stdout.write(`${file ?? '(defaults)'}: ok\n`);
      return 0;
    }
    if (flags['print-config']) {
      process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
      return 0;
    }
    const logs = createLogger({ level: cfg.log.level, levels: cfg.log.levels });
    const log = logs.child('main');
    if (safeErrors) log.error({ errors: safeErrors, file }, 'config.safe_mode');
    const sup = new Supervisor({ cfg, logs, safeMode: safeErrors ? { errors: safeErrors, configFile: file } : undefined });
    const abort = new AbortController();
    let stopping: Promise<void> | undefined;
    const stop = (sig: string): void => {
      if (stopping) return;
      log.info({ signal: sig }, 'signal.received');
      abort.abort();
      const timer = setTimeout(() => {
        log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'shutdown.timeout');
        process.exit(1);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      stopping = sup.stop().then(() => clearTimeout(timer));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    try {
      await sup.start(abort.signal);
    } catch (e) {
      if (abort.signal.aborted) {
        await (stopping ?? sup.stop());
        return 0;
      }
      await sup.stop();
      throw e;
    }
    if (file && !safeErrors) rememberLastGood(file);
    await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
    await stopping;
    return 0;
  },
};
export default command;

function rememberLastGood(file: string): void {
  try {
    writeFileAtomic(`${file}.last-good`, readFileSync(file), { backup: false });
  } catch {
    // A read-only /etc is fine: safe mode then has no last-good copy to fall back to.
  }
}
