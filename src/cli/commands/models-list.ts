import { loadConfig } from '../../config/load.js';
import { formatBytes, renderTable } from '../../models/format.js';
import { bundleStatus, loadConfiguredManifest } from '../../models/model-store.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'models list',
  summary: 'list model bundles with role, family, precision, size and verified state',
  help: [
    'usage: parley models list [--json] [--config FILE]',
    '',
    'Lists every bundle of the model manifest: name, role, family, precision (fp32/int8),',
    'total size, state (verified, missing, partial, corrupt, unpinned) and TRUST: where the',
    'expected hashes come from (manifest = published; first-use = pinned by a download made',
    'with --trust-on-first-use; none = unpinned, refused until then; mixed bundles list',
    'each kind). Each installed file is hashed (sha256) to decide "verified".',
    '',
    'options:',
    '  --json          one JSON object per bundle, one per line',
    '  --config FILE   config file (models.dir, models.manifest)',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { json: 'boolean', config: 'string' });
    if (positionals.length > 0) throw new UsageError('models list takes no arguments');
    const { config } = loadConfig(flags.config as string | undefined);
    const manifest = loadConfiguredManifest(config);
    const rows: string[][] = [];
    for (const name of Object.keys(manifest.bundles).sort()) {
      const s = await bundleStatus(config, name, manifest);
      const sizes = s.files.map((f) => f.expectedSize);
      const total = sizes.some((x) => x === null) ? null : sizes.reduce<number>((a, b) => a + (b as number), 0);
      const isDefault = manifest.defaults.includes(name);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({
          name, role: s.bundle.role, family: s.bundle.family, precision: s.bundle.precision, license: s.bundle.license,
          sizeBytes: total, state: s.state, default: isDefault,
          files: s.files.map((f) => ({ path: f.path, state: f.state, sizeBytes: f.expectedSize, pinned: f.pinned, trust: f.trust })),
        })}\n`);
      } else {
        const trust = [...new Set(s.files.map((f) => f.trust))].join('+');
        rows.push([name + (isDefault ? ' *' : ''), s.bundle.role, s.bundle.family, s.bundle.precision, formatBytes(total), s.state, trust]);
      }
    }
    if (!flags.json) {
      process.stdout.write(`${renderTable(['NAME', 'ROLE', 'FAMILY', 'PRECISION', 'SIZE', 'STATE', 'TRUST'], rows)}\n`);
      process.stdout.write('* fetched by `npm run models:fetch`; SIZE ? = not published; TRUST none = refused without --trust-on-first-use\n');
    }
    return 0;
  },
};
export default command;
