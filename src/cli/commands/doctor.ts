import { loadConfig } from '../../config/load.js';
import type { FrozenConfig } from '../../config/schema.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DOCTOR_CHECKS, type CheckResult } from './doctor-checks.js';

const command: Command = {
  name: 'doctor',
  summary: 'check capture device, models, disk, thermal sensors and broker',
  help: [
    'usage: parley doctor [--config FILE] [--json] [--only NAME[,NAME]]',
    '',
    'Runs every health check and prints a table (name, state, detail, what to do).',
    'States: ok, warn (works but degraded), fail (parley cannot work this way), skip (not configured).',
    'Exit 0 when nothing failed, 1 otherwise.',
    '',
    'options:',
    '  --config FILE   config to check against (default /etc/parley/config.yaml if present, else defaults)',
    '  --json          print the results as one JSON document',
    '  --only NAMES    run only these checks (comma separated)',
  ].join('\n'),
  async run(argv) {
    const { flags } = parseArgs(argv, { config: 'string', json: 'boolean', only: 'string' });
    const cfg: FrozenConfig = loadConfig(flags.config ? String(flags.config) : undefined).config;
    const only = flags.only ? String(flags.only).split(',') : undefined;
    const unknown = only?.filter((n) => !DOCTOR_CHECKS.some((c) => c.name === n));
    if (unknown && unknown.length > 0) throw new UsageError(`unknown check ${unknown.join(', ')}; known: ${DOCTOR_CHECKS.map((c) => c.name).join(', ')}`);
    const results: CheckResult[] = [];
    for (const check of DOCTOR_CHECKS) {
      if (only && !only.includes(check.name)) continue;
      try {
        results.push(...(await check.run(cfg)));
      } catch (e) {
        results.push({ name: check.name, state: 'fail', detail: (e as Error).message });
      }
    }
    const failed = results.some((r) => r.state === 'fail');
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
    } else {
      const w = Math.max(...results.map((r) => r.name.length), 5);
      for (const r of results) {
        process.stdout.write(`${r.name.padEnd(w)}  ${r.state.toUpperCase().padEnd(4)}  ${r.detail}${r.fix ? `\n${' '.repeat(w + 8)}-> ${r.fix}` : ''}\n`);
      }
      process.stdout.write(failed ? '\nsome checks failed\n' : '\nall checks passed\n');
    }
    return failed ? 1 : 0;
  },
};
export default command;
