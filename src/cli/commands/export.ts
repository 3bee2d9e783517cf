import { writeRttm } from '../../diarization/rttm.js';
import type { SegmentRow } from '../../storage/segments-repo.js';
import { UsageError } from '../../util/errors.js';
import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { clock, DB_FLAGS, DB_HELP, openCliDb } from './speakers-common.js';

const FORMATS = ['rttm', 'json', 'srt', 'vtt'] as const;
type Format = (typeof FORMATS)[number];

/** Render stored segments of one session (ordered by start) in an export format. */
export function renderExport(sessionId: string, rows: readonly SegmentRow[], format: Format): string {
  const segs = [...rows].sort((a, b) => a.start_sample - b.start_sample);
  const label = (r: SegmentRow): string => r.speaker ?? 'unknown';
  switch (format) {
    case 'rttm':
      return writeRttm(segs.map((r) => ({ file: sessionId, startS: r.start_ms / 1000, durationS: (r.end_ms - r.start_ms) / 1000, speaker: label(r) })));
    case 'json':
      return `${JSON.stringify({
        session_id: sessionId,
        segments: segs.map((r) => ({
          id: r.id, rev: r.rev, start_ms: r.start_ms, end_ms: r.end_ms, speaker: r.speaker, speaker_confidence: r.speaker_confidence,
          text: r.text, confidence: r.confidence, words: r.words_json ? JSON.parse(r.words_json) as unknown : null,
        })),
      }, null, 2)}\n`;
    case 'srt':
      return segs.map((r, i) => `${i + 1}\n${clock(r.start_ms, ',')} --> ${clock(r.end_ms, ',')}\n${label(r)}: ${r.text ?? ''}\n`).join('\n');
    case 'vtt':
      return `WEBVTT\n\n${segs.map((r) => `${clock(r.start_ms, '.')} --> ${clock(r.end_ms, '.')}\n<v ${label(r).replace(/[<>]/g, '')}>${(r.text ?? '').replace(/-->/g, '->')}\n`).join('\n')}`;
  }
}

const command: Command = {
  name: 'export',
  summary: 'export a session as RTTM, JSON, SRT or WebVTT (with speaker names)',
  help: [
    'usage: parley export SESSION --format rttm|json|srt|vtt [options]', '',
    'Prints the stored segments of SESSION (latest revision) on stdout. SRT and VTT cues carry',
    'the speaker name; RTTM has one SPEAKER line per segment.', '',
    'options:', '  --format F      rttm, json, srt or vtt (default json)', ...DB_HELP,
  ].join('\n'),
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, { ...DB_FLAGS, format: 'string' });
    if (positionals.length !== 1) throw new UsageError('export needs exactly one SESSION');
    const format = (flags.format ?? 'json') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const { pdb } = openCliDb(flags, true);
    try {
      const sessionId = positionals[0];
      if (!pdb.db.prepare('SELECT 1 FROM sessions WHERE id = ?').get(sessionId)) throw new UsageError(`no session '${sessionId}'`);
      process.stdout.write(renderExport(sessionId, pdb.segments.listBySession(sessionId), format));
      return 0;
    } finally {
      pdb.close();
    }
  },
};
export default command;
