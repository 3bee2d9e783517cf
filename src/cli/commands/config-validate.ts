import { validateConfigFile } from '../../config/load.js';
import { formatConfigIssue, UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';

const command: Command = {
  name: 'config validate',
  summary: 'check a config file; print every error with its line',
  help: [
    'usage: parley config validate FILE [--env]',
    '',
    'Validates FILE against the configuration schema and prints every problem as',
    '`<key path> <message> (line N)`. Exit 0 when valid, 1 when not.',
    '',
    'options:',
    '  --env    also apply PARLEY_<SECTION>_<KEY> overrides from the environment',
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { env: 'boolean' });
    if (positionals.length !== 1) throw new UsageError('config validate needs exactly one FILE');
    const file = positionals[0];
    const issues = validateConfigFile(file, flags.env ? process.env : {});
    if (issues.length === 0) {
      process.stdout.write(`${file}: ok\n`);
      return 0;
    }
    for (const i of issues) process.stdout.write(`${formatConfigIssue(i)}\n`);
    process.stderr.write(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n`);
    return 1;
  },
};
export default command;
