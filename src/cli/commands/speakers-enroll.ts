import { existsSync } from 'node:fs';
import { readWavFile, toMono16k } from '../../audio/wav-reader.js';
import { enrollFromSamples } from '../../diarization/enrollment.js';
import { SpeakersRepo } from '../../storage/speakers-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { DB_FLAGS, DB_HELP, openCliDb, parseTimeMs } from './speakers-common.js';

const command: Command = {
  name: 'speakers enroll',
  summary: 'enroll a speaker\'s voice from a WAV file or a stretch of a stored session',
  help: [
    'usage: parley speakers enroll NAME FILE [options]',
    '       parley speakers enroll NAME --session S --from T --to T [options]',
    '',
    'Computes a voiceprint (built-in engine) from FILE, or from [T, T] of session S when the',
    'session was transcribed from a file that still exists, and stores it under NAME.',
    'Later sessions label that voice NAME. Enrolling the same NAME again adds a voiceprint.',
    'The clip must hold at least 3 s of speech and be clearly louder than its background,',
    'otherwise the command fails with an ENROLLMENT error.',
    '',
    'options:',
    '  --session S     session id to take the audio from',
    '  --from T        start time (seconds or [HH:]MM:SS)',
    '  --to T          end time',
    ...DB_HELP,
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS, session: 'string', from: 'string', to: 'string' });
    const [name, file] = positionals;
    if (!name || positionals.length > 2) throw new UsageError('speakers enroll needs NAME and FILE, or NAME --session S --from T --to T');
    let samples: Float32Array;
    let source: string;
    const { pdb } = openCliDb(flags);
    try {
      if (typeof flags.session === 'string') {
        if (file) throw new UsageError('give either FILE or --session, not both');
        if (typeof flags.from !== 'string' || typeof flags.to !== 'string') throw new UsageError('--session needs --from and --to');
        const fromMs = parseTimeMs(flags.from, 'from');
        const toMs = parseTimeMs(flags.to, 'to');
        if (toMs <= fromMs) throw new UsageError('--to must be after --from');
        const row = pdb.db.prepare('SELECT source FROM sessions WHERE id = ?').get(flags.session) as { source: string } | undefined;
        if (!row) throw new UsageError(`no session '${flags.session}'`, { hint: 'list sessions with `parley sessions list`' });
        const path = row.source.replace(/^file:/, '');
        if (!existsSync(path)) throw new UsageError(`the audio of session ${flags.session} is not available (source: ${row.source})`, { hint: 'enroll from a WAV file instead' });
        const all = toMono16k(await readWavFile(path));
        samples = all.subarray(Math.round((fromMs * 16000) / 1000), Math.min(all.length, Math.round((toMs * 16000) / 1000)));
        source = `session:${flags.session}:${fromMs}-${toMs}`;
      } else {
        if (!file) throw new UsageError('speakers enroll needs FILE (or --session)');
        samples = toMono16k(await readWavFile(file));
        source = `file:${file}`;
      }
      const r = enrollFromSamples(samples);
      new SpeakersRepo(pdb.db).enroll({ name, engine: r.engine, embedding: r.embedding, durationMs: r.speechMs, source });
      process.stdout.write(`enrolled ${name.trim()}: ${(r.speechMs / 1000).toFixed(1)} s of speech, ${r.snrDb.toFixed(1)} dB above background\n`);
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
