import { fetchBundle } from '../../models/fetch.js';
import type { Command } from '../command.js';
import { modelsCommandSetup } from './models-common.js';

const command: Command = {
  name: 'models fetch',
  summary: 'download, verify and install model bundles (resume, size cap, sha256)',
  help: [
    'usage: parley models fetch [NAME...] [--config FILE]',
    '',
    'Fetches the named bundles (default: the manifest defaults, the Silero VAD models).',
    'Each file is tried from its sources in order (npm package tarball, URL, URL archive),',
    'with resume, a size cap (models.download_max_bytes) and an idle timeout',
    '(models.download_timeout_ms); size and sha256 are verified before the file is',
    'installed atomically. A file whose sha256 the manifest does not know is pinned on',
    'first download (printed as NOTICE). Verified files are skipped. URL sources need',
    'internet access; without it the command fails and lists every source it tried.',
    'Progress goes to stderr; stdout gets one line per file.',
    '',
    'options:',
    '  --config FILE   config file (models.dir, models.manifest, models.download_*)',
  ].join('\n'),
  async run(argv) {
    const { config, manifest, names: given } = modelsCommandSetup(argv);
    const names = given.length > 0 ? given : manifest.defaults;
    for (const name of names) {
      let last = '';
      const r = await fetchBundle(config, name, {
        manifest,
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
