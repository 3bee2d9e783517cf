import { SpeakersRepo } from '../../storage/speakers-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

const command: Command = {
  name: 'speakers list',
  summary: 'list enrolled speakers',
  help: ['usage: parley speakers list [--json] [options]', '', 'Lists enrolled speakers with voiceprints, enrolled speech and labelled segments.', '', 'options:', '  --json          one JSON array', ...DB_HELP].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS, json: 'boolean' });
    if (positionals.length > 0) throw new UsageError('speakers list takes no arguments');
    const { pdb } = openCliDb(flags, true);
    try {
      const rows = new SpeakersRepo(pdb.db).list();
      if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else if (rows.length === 0) process.stdout.write('no enrolled speakers\n');
      else for (const r of rows) process.stdout.write(`${r.name}\tvoiceprints=${r.voiceprints}\tenrolled=${(r.enrolledMs / 1000).toFixed(1)}s\tsegments=${r.segments}\n`);
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
