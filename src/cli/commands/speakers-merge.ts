import { SpeakersRepo } from '../../storage/speakers-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

const command: Command = {
  name: 'speakers merge',
  summary: 'merge speaker A into speaker B',
  help: ['usage: parley speakers merge A B [options]', '', 'A\'s voiceprints move to B, A\'s segments are relabelled B, and A is removed.', '', 'options:', ...DB_HELP].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS });
    if (positionals.length !== 2) throw new UsageError('speakers merge needs A and B');
    const { pdb } = openCliDb(flags, true);
    try {
      const n = new SpeakersRepo(pdb.db).merge(positionals[0], positionals[1]);
      process.stdout.write(`merged ${positionals[0]} into ${positionals[1]} (${n} segments relabelled)\n`);
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
