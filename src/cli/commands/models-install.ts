import { openUpdater, rejectionExit } from '../../ota/cli-support.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'models install',
  summary: 'verify, test and activate a signed OTA model bundle (file or URL)',
  help: [
    'usage: parley models install FILE|URL [--config F] [--force]',
    '',
    'Checks the bundle signature against ota.trusted_keys, the device class, the parley',
    'version and the version order, unpacks it into the inactive slot while checking every',
    'size and sha256, runs the golden cases in a fresh inference child, then switches the',
    'active slot atomically and starts probation (committed after ota.probation_minutes,',
    'or at once when that is 0). Anything refused leaves the active model untouched.',
    '',
    'exit codes: 0 ok; 1 other failure; 2 usage; 10 bad_signature; 11 unknown_key;',
    '  12 revoked_key; 13 truncated_signature; 14 manifest_too_large; 15 bad_path;',
    '  16 hash_mismatch; 17 size_mismatch; 18 downgrade; 19 incompatible_device;',
    '  20 parley_too_old; 21 golden_failed; 22 malformed; 23 bad_version',
    '',
    'options:',
    '  --config F  config file (default /etc/parley/config.yaml when present)',
    '  --force     allow a downgrade, a reinstall or a version marked bad',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { config: 'string', force: 'boolean' });
    if (positionals.length !== 1) throw new UsageError('models install needs exactly one FILE or URL');
    const u = openUpdater(flags.config);
    u.on('event', (e: { type: string; phase?: string; done_bytes?: number; total_bytes?: number | null }) => {
      if (e.type === 'ota.phase') process.stderr.write(`ota: ${e.phase}\n`);
      else if (e.type === 'ota.progress') process.stderr.write(`ota: ${e.phase} ${e.done_bytes}${e.total_bytes ? `/${e.total_bytes}` : ''} bytes\n`);
    });
    try {
      await u.recover();
      const r = await u.install(positionals[0], { force: !!flags.force });
      process.stdout.write(`${r.message}\n`);
      return 0;
    } catch (e) {
      return rejectionExit(e);
    } finally {
      u.stop();
    }
  },
};
export default command;
