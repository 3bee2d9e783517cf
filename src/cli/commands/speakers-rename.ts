import { SpeakersRepo } from '../../storage/speakers-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

const command: Command = {
  name: 'speakers rename',
  summary: 'rename an enrolled speaker (stored segments follow)',
  help: ['usage: parley speakers rename OLD NEW [options]', '', 'Renames speaker OLD to NEW and relabels OLD\'s stored segments.', '', 'options:', ...DB_HELP].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS });
    if (positionals.length !== 2) throw new UsageError('speakers rename needs OLD and NEW');
    const { pdb } = openCliDb(flags, true);
    try {
      const n = new SpeakersRepo(pdb.db).rename(positionals[0], positionals[1]);
      process.stdout.write(`renamed ${positionals[0]} to ${positionals[1].trim()} (${n} segments relabelled)\n`);
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
