import { SearchRepo } from '../../storage/search-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { clock, DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

const command: Command = {
  name: 'search',
  summary: 'full-text search over stored transcripts',
  help: [
    'usage: parley search TEXT [--speaker NAME] [--since DATE] [--session S] [--limit N] [--json] [options]', '',
    'Searches segment text (SQLite FTS5; every word must match, `word*` matches a prefix) and',
    'prints one line per hit: session, time in the session, speaker, text. Newest first.', '',
    'options:',
    '  --speaker NAME  only segments of this speaker',
    '  --since DATE    only segments recorded at or after DATE (ISO 8601, e.g. 2026-05-01 or 2026-05-01T08:00Z)',
    '  --session S     only this session',
    '  --limit N       at most N hits (default 50)',
    '  --json          one JSON array',
    ...DB_HELP,
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS, speaker: 'string', since: 'string', session: 'string', limit: 'string', json: 'boolean' });
    if (positionals.length === 0) throw new UsageError('search needs TEXT');
    let sinceWallMs: number | undefined;
    if (typeof flags.since === 'string') {
      sinceWallMs = Date.parse(flags.since);
      if (!/^\d{4}-\d{2}-\d{2}/.test(flags.since) || Number.isNaN(sinceWallMs)) throw new UsageError(`--since: bad date '${flags.since}' (use ISO 8601, e.g. 2026-05-01)`);
    }
    const limit = flags.limit === undefined ? 50 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    const { pdb } = openCliDb(flags, true);
    try {
      const hits = new SearchRepo(pdb.db).search({
        text: positionals.join(' '), speaker: flags.speaker as string | undefined, sinceWallMs, sessionId: flags.session as string | undefined, limit,
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(hits)}\n`);
      else for (const h of hits) process.stdout.write(`${h.sessionId}\t${clock(h.startMs, '.')}\t${h.speaker ?? '-'}\t${h.text.replace(/\s+/g, ' ')}\n`);
      if (hits.length === 0) process.stderr.write('no matches\n');
      return hits.length > 0 ? 0 : 1;
    } finally {
      pdb.close();
    }
  },
};
export default command;
