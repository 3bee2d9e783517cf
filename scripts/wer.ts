/**
 * Word error rate of a hypothesis against a reference.
 * Usage: node --import tsx scripts/wer.ts REF HYP [--json]
 *   REF and HYP are files (one transcript, or lines "text (utt-id)" paired by id, as in
 *   sphinx `transcription` files) or literal text when no such file exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { corpusWordErrorRate, type WerResult } from '../src/asr/wer.js';

function load(arg: string): string {
  return existsSync(arg) ? readFileSync(arg, 'utf8') : arg;
}

/** Lines of the form "<s> text </s> (id)" or "text (id)" → map id → text; null when any line has no id. */
function byId(text: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = /^(.*)\(([^()\s]+)\)$/.exec(line);
    if (!m) return null;
    out.set(m[2]!, m[1]!.replace(/<\/?s>/g, ' ').trim());
  }
  return out.size > 0 ? out : null;
}

export function scoreTexts(refText: string, hypText: string): WerResult {
  const refIds = byId(refText);
  const hypIds = byId(hypText);
  if (refIds && hypIds) {
    return corpusWordErrorRate([...refIds].map(([id, reference]) => ({ reference, hypothesis: hypIds.get(id) ?? '' })));
  }
  return corpusWordErrorRate([{ reference: refText, hypothesis: hypText }]);
}

function main(argv: string[]): number {
  const args = argv.filter((a) => a !== '--json');
  if (argv.includes('--help') || args.length !== 2) {
    process.stderr.write('usage: node --import tsx scripts/wer.ts REF HYP [--json]\n');
    return argv.includes('--help') ? 0 : 2;
  }
  const r = scoreTexts(load(args[0]!), load(args[1]!));
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    process.stdout.write(`WER ${(r.wer * 100).toFixed(1)}% (${r.errors}/${r.referenceWords}: `
      + `S=${r.substitutions} D=${r.deletions} I=${r.insertions})\n`);
  }
  return 0;
}

if (process.argv[1] && /wer\.ts$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));
