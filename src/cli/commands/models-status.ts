import { openUpdater } from '../../ota/cli-support.js';
import type { Pointer } from '../../ota/ota-state.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'models status',
  summary: 'show the active OTA model per role, the update phase and the last result',
  help: [
    'usage: parley models status [--config F] [--json]',
    '',
    'Shows which bundle and slot each role loads, the OTA phase (idle, probation, ...),',
    'the rollback target and the last install/rollback result.',
    '',
    'options:',
    '  --config F  config file (default /etc/parley/config.yaml when present)',
    '  --json      machine-readable output',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { config: 'string', json: 'boolean' });
    if (positionals.length > 0) throw new UsageError('models status takes no arguments');
    const u = openUpdater(flags.config);
    const s = u.status();
    if (flags.json) {
      const active = s.active as Pointer;
      const paths = Object.fromEntries(Object.keys(active).map((r) => [r, u.activeModelPath(r)]));
      process.stdout.write(`${JSON.stringify({ ...s, model_paths: paths })}\n`);
      return 0;
    }
    const active = s.active as Pointer;
    const lines = [`phase: ${s.phase}`];
    if (Object.keys(active).length === 0) lines.push('active: (none; the shipped models are used)');
    for (const [role, r] of Object.entries(active)) lines.push(`active ${role}: ${r.bundle_name} ${r.version} (bundle ${r.bundle_id}, slot ${r.slot}, sha256 ${r.sha256.slice(0, 12)})`);
    const prev = s.previous as Pointer | null;
    for (const [role, r] of Object.entries(prev ?? {})) lines.push(`previous ${role}: ${r.bundle_name} ${r.version} (slot ${r.slot})`);
    const lr = s.last_result as { ok: boolean; action: string; version?: string; reason?: string; message?: string } | null;
    if (lr) lines.push(`last: ${lr.action} ${lr.ok ? 'ok' : 'failed'}${lr.version ? ` ${lr.version}` : ''}${lr.reason ? ` [${lr.reason}]` : ''}${lr.message ? `: ${lr.message}` : ''}`);
    const bad = s.bad_versions as string[];
    if (bad.length > 0) lines.push(`bad versions: ${bad.join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
export default command;
