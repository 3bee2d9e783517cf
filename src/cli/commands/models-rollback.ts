import { openUpdater } from '../../ota/cli-support.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'models rollback',
  summary: 'switch back to the previous OTA model bundle',
  help: [
    'usage: parley models rollback [--config F]',
    '',
    'Points every role of the last installed bundle back at the previous slot. During',
    'probation the abandoned version is also marked bad. A second rollback swaps back.',
    '',
    'options:',
    '  --config F  config file (default /etc/parley/config.yaml when present)',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { config: 'string' });
    if (positionals.length > 0) throw new UsageError('models rollback takes no arguments');
    const u = openUpdater(flags.config);
    try {
      await u.recover();
      const inProbation = u.status().phase === 'probation';
      const r = await u.rollback('operator rollback', inProbation);
      process.stdout.write(`rolled back from ${r.version ?? '(unknown)'}\n`);
      return 0;
    } finally {
      u.stop();
    }
  },
};
export default command;
