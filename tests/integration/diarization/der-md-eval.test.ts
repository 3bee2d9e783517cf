import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeDer } from '../../../src/diarization/der.js';
import { parseRttm, writeRttm, type Turn } from '../../../src/diarization/rttm.js';
import { evalDir, requireMdEval } from '../../helpers/diarization-eval.js';
import { mulberry32 } from '../../../src/util/prng.js';

const rng = mulberry32;

/** A degraded hypothesis: jittered boundaries, dropped and relabelled turns, an extra speaker, a false alarm. */
function corrupt(ref: Turn[], seed: number): Turn[] {
  const r = rng(seed);
  const names = ['s1', 's2', 's3'];
  const out: Turn[] = [];
  for (const t of ref) {
    if (r() < 0.1) continue;
    const start = Math.max(0, t.startS + (r() - 0.5) * 0.6);
    const dur = Math.max(0.05, t.durationS + (r() - 0.5) * 0.6);
    const spk = r() < 0.2 ? names[Math.floor(r() * 3)] : t.speaker === 'speaker90' ? 's1' : 's2';
    out.push({ file: t.file, startS: Math.round(start * 1000) / 1000, durationS: Math.round(dur * 1000) / 1000, speaker: spk });
  }
  out.push({ file: ref[0].file, startS: 2.0, durationS: 1.5, speaker: 's3' });
  return out;
}

function mdEval(md: string, refPath: string, hypPath: string, collar: number): { scored: number; missed: number; fa: number; conf: number; der: number } {
  const out = execFileSync('perl', [md, '-c', String(collar), '-r', refPath, '-s', hypPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const grab = (re: RegExp): number => {
    const m = re.exec(out);
    assert.ok(m, `md-eval output lacks ${re}:\n${out.slice(-2000)}`);
    return Number(m[1]);
  };
  return {
    scored: grab(/SCORED SPEAKER TIME =\s+([0-9.]+)/),
    missed: grab(/MISSED SPEAKER TIME =\s+([0-9.]+)/),
    fa: grab(/FALARM SPEAKER TIME =\s+([0-9.]+)/),
    conf: grab(/SPEAKER ERROR TIME =\s+([0-9.]+)/),
    der: grab(/OVERALL SPEAKER DIARIZATION ERROR =\s+([0-9.]+)/),
  };
}

test('computeDer agrees with md-eval.pl on pyannote sample.rttm and degraded hypotheses', () => {
  const md = requireMdEval();
  const refPath = join(evalDir(), 'pyannote-sample', 'sample.rttm');
  const ref = parseRttm(readFileSync(refPath, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'parley-der-'));
  try {
    for (const seed of [1, 2, 3]) {
      const hyp = corrupt(ref, seed);
      const hypPath = join(dir, `hyp${seed}.rttm`);
      writeFileSync(hypPath, writeRttm(hyp));
      for (const collar of [0, 0.25]) {
        const want = mdEval(md, refPath, hypPath, collar);
        const got = computeDer(ref, parseRttm(readFileSync(hypPath, 'utf8')), { collarS: collar });
        const ctx = `seed ${seed} collar ${collar}: md-eval ${JSON.stringify(want)} ours ${JSON.stringify(got)}`;
        assert.ok(want.der > 1, `hypothesis should have errors: ${ctx}`);
        assert.ok(Math.abs(got.scoredSpeakerS - want.scored) <= 0.011, ctx);
        assert.ok(Math.abs(got.missedS - want.missed) <= 0.011, ctx);
        assert.ok(Math.abs(got.falseAlarmS - want.fa) <= 0.011, ctx);
        assert.ok(Math.abs(got.confusionS - want.conf) <= 0.011, ctx);
        assert.ok(Math.abs(100 * got.der - want.der) <= 0.06, ctx);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scripts/der.ts prints the DER and rejects a malformed RTTM with exit 1', () => {
  const refPath = join(evalDir(), 'pyannote-sample', 'sample.rttm');
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/der.ts', '--ref', refPath, '--hyp', refPath, '--collar', '0.25'], { encoding: 'utf8' });
  assert.match(out, /DER\s+0\.00%/);
  const dir = mkdtempSync(join(tmpdir(), 'parley-der-'));
  try {
    const bad = join(dir, 'bad.rttm');
    writeFileSync(bad, 'SPEAKER x 1 zz 1 <NA> <NA> a <NA> <NA>\n');
    assert.throws(() => execFileSync(process.execPath, ['--import', 'tsx', 'scripts/der.ts', '--ref', refPath, '--hyp', bad], { encoding: 'utf8', stdio: 'pipe' }),
      (e: { status?: number; stderr?: string }) => e.status === 1 && /RTTM line 1: bad start time/.test(String(e.stderr)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
