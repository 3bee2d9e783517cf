import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { SpeakersRepo } from '../../storage/speakers-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

/** Delete `<audio_dir>/**\/<segment id>.<ext>` files of the given segments (depth ≤ 3). */
function deleteSegmentAudio(dir: string, ids: ReadonlySet<string>): number {
  let n = 0;
  const walk = (d: string, depth: number): void => {
    if (depth > 3 || !existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
      else if (ids.has(basename(name, extname(name)))) {
        rmSync(p, { force: true });
        n++;
      }
    }
  };
  walk(dir, 0);
  return n;
}

const command: Command = {
  name: 'speakers forget',
  summary: 'delete a speaker\'s voiceprints (and optionally their segment audio)',
  help: [
    'usage: parley speakers forget NAME [--delete-audio] [options]', '',
    'Deletes speaker NAME and every voiceprint; the speaker label is removed from stored segments.',
    'With --delete-audio, stored audio files of those segments (storage.audio_dir, named by segment id) are deleted too.',
    '', 'options:', '  --delete-audio  also delete the stored audio of NAME\'s segments', ...DB_HELP,
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS, 'delete-audio': 'boolean' });
    if (positionals.length !== 1) throw new UsageError('speakers forget needs NAME');
    const { cfg, pdb } = openCliDb(flags, true);
    try {
      const r = new SpeakersRepo(pdb.db).forget(positionals[0]);
      let files = 0;
      if (flags['delete-audio']) files = deleteSegmentAudio(cfg.storage.audio_dir, new Set(r.segmentIds.map((s) => s.id)));
      process.stdout.write(`forgot ${positionals[0]}: ${r.segmentIds.length} segments unlabelled${flags['delete-audio'] ? `, ${files} audio files deleted` : ''}\n`);
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
