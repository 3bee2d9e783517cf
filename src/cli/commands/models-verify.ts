import { bundleStatus } from '../../models/model-store.js';
import type { Command } from '../command.js';
import { modelsCommandSetup } from './models-common.js';

const command: Command = {
  name: 'models verify',
  summary: 'check size and sha256 of installed model files (exit 1 on any failure)',
  help: [
    'usage: parley models verify [NAME...] [--config FILE]',
    '',
    'Checks every file of the named bundles (default: the default bundles plus every',
    'bundle with at least one file installed) against its size and sha256, one line per',
    'file: ok, MISSING, CORRUPT or UNPINNED. Exit 0 when all pass, 1 otherwise.',
    '',
    'options:',
    '  --config FILE   config file (models.dir, models.manifest)',
  ].join('\n'),
  async run(argv) {
    const { config, manifest, names: positionals } = modelsCommandSetup(argv);
    const statuses = [];
    const names = positionals.length > 0 ? positionals : Object.keys(manifest.bundles).sort();
    for (const name of names) {
      const s = await bundleStatus(config, name, manifest);
      const wanted = positionals.length > 0 || manifest.defaults.includes(name) || s.files.some((f) => f.state !== 'missing');
      if (wanted) statuses.push(s);
    }
    let bad = 0;
    for (const s of statuses) {
      for (const f of s.files) {
        const tag = f.state === 'verified' ? 'ok' : f.state.toUpperCase();
        if (f.state !== 'verified') bad++;
        const detail = f.state === 'verified' ? (f.pinned ? ' (hash pinned at first download)' : '') : ` ${f.message ?? ''}`;
        process.stdout.write(`${tag.padEnd(9)}${s.name}: ${f.path}${detail}\n`);
      }
    }
    if (bad > 0) {
      process.stderr.write(`models verify: ${bad} file(s) failed; run \`parley models fetch NAME\` to repair\n`);
      return 1;
    }
    return 0;
  },
};
export default command;
