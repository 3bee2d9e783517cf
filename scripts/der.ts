// DER scorer CLI: node --import tsx scripts/der.ts --ref REF.rttm --hyp HYP.rttm [--collar 0.25] [--skip-overlap] [--json]
import { readFileSync } from 'node:fs';
import { computeDer } from '../src/diarization/der.js';
import { parseRttm } from '../src/diarization/rttm.js';
import { parseArgs, wantsHelp } from '../src/cli/args.js';
import { AppError, UsageError } from '../src/util/errors.js';

const HELP = [
  'usage: node --import tsx scripts/der.ts --ref REF.rttm --hyp HYP.rttm [--collar S] [--uem FILE] [--skip-overlap] [--json]',
  '',
  'Diarization error rate (md-eval.pl compatible): missed + false alarm + speaker confusion',
  'over scored reference speaker time, overlapping speech included (each speaker counts),',
  'optimal one-to-one speaker mapping (Hungarian, maximum overlap).',
  '',
  'options:',
  '  --ref FILE       reference RTTM',
  '  --hyp FILE       system (hypothesis) RTTM',
  '  --collar S       no-score zone of S seconds on each side of reference boundaries (md-eval -c; default 0)',
  '  --uem FILE       evaluation partitions "<file> <chnl> <tbeg> <tend>" per line (default: first to last reference turn)',
  '  --skip-overlap   score only single-speaker regions (md-eval -1)',
  '  --json           print the full result as JSON',
].join('\n');

function parseUem(text: string): Record<string, { startS: number; endS: number }[]> {
  const out: Record<string, { startS: number; endS: number }[]> = {};
  text.split(/\r?\n/).forEach((l, i) => {
    const s = l.trim();
    if (s === '' || s.startsWith(';;')) return;
    const f = s.split(/\s+/);
    const a = Number(f[2]);
    const b = Number(f[3]);
    if (f.length < 4 || !Number.isFinite(a) || !Number.isFinite(b) || b < a) throw new UsageError(`UEM line ${i + 1}: expected "<file> <chnl> <tbeg> <tend>"`);
    (out[f[0]] ??= []).push({ startS: a, endS: b });
  });
  return out;
}

function main(argv: string[]): number {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { flags } = parseArgs(argv, { ref: 'string', hyp: 'string', collar: 'string', uem: 'string', 'skip-overlap': 'boolean', json: 'boolean' });
  if (typeof flags.ref !== 'string' || typeof flags.hyp !== 'string') throw new UsageError('--ref and --hyp are required');
  const collarS = flags.collar === undefined ? 0 : Number(flags.collar);
  if (!Number.isFinite(collarS) || collarS < 0) throw new UsageError('--collar must be a number of seconds >= 0');
  const ref = parseRttm(readFileSync(flags.ref, 'utf8'));
  const hyp = parseRttm(readFileSync(flags.hyp, 'utf8'));
  const uem = typeof flags.uem === 'string' ? parseUem(readFileSync(flags.uem, 'utf8')) : undefined;
  const r = computeDer(ref, hyp, { collarS, uem, skipOverlap: flags['skip-overlap'] === true });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  } else {
    const pct = (x: number): string => (r.scoredSpeakerS > 0 ? ((100 * x) / r.scoredSpeakerS).toFixed(2) : '0.00');
    process.stdout.write([
      `scored speaker time  ${r.scoredSpeakerS.toFixed(3)} s`,
      `missed               ${r.missedS.toFixed(3)} s (${pct(r.missedS)}%)`,
      `false alarm          ${r.falseAlarmS.toFixed(3)} s (${pct(r.falseAlarmS)}%)`,
      `confusion            ${r.confusionS.toFixed(3)} s (${pct(r.confusionS)}%)`,
      `DER                  ${(100 * r.der).toFixed(2)}%  (collar ${collarS} s, ${flags['skip-overlap'] ? 'overlap skipped' : 'overlap included'})`,
      `speakers             ref ${r.refSpeakers}, hyp ${r.hypSpeakers}`,
    ].join('\n') + '\n');
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  const msg = e instanceof AppError ? e.oneLine() : e instanceof Error ? e.message : String(e);
  process.stderr.write(`der: ${msg}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
