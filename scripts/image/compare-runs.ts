// Compares one `parley transcribe --json --db` run on x64 (reference) with the same run on
// another architecture: the VAD segments (start/end), the speaker labels, the text and every
// stored row must be equal; confidences are floats from different SIMD kernels and are reported
// (identical, or the largest difference), not required to be bit-identical.

export interface RunOutput {
  /** JSON lines printed by `transcribe --json` (segments, then a summary). */
  lines: Record<string, unknown>[];
  /** Rows of the segments table, in start_sample order. */
  rows: Record<string, unknown>[];
}

export interface Comparison {
  equal: boolean;
  report: string[];
}

const EXACT_ROW_KEYS = ['start_ms', 'end_ms', 'start_sample', 'end_sample', 'speaker', 'text', 'asr_engine', 'asr_model', 'tier'];

function floatDiff(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (typeof a !== 'number' || typeof b !== 'number') return Number.POSITIVE_INFINITY;
  return Math.abs(a - b);
}

export function compareRuns(ref: RunOutput, other: RunOutput): Comparison {
  const report: string[] = [];
  let equal = true;
  const segs = (r: RunOutput): Record<string, unknown>[] => r.lines.filter((l) => l.type === 'segment');
  const a = segs(ref);
  const b = segs(other);
  const vad = (s: Record<string, unknown>[]): string => JSON.stringify(s.map((x) => [x.start, x.end]));
  if (a.length === 0) {
    equal = false;
    report.push('x64 reference produced no segments');
  }
  if (vad(a) === vad(b)) report.push(`VAD segments equal (${a.length}): ${a.map((x) => `${String(x.start)}-${String(x.end)}`).join(' ')}`);
  else {
    equal = false;
    report.push(`VAD segments differ: x64 ${vad(a)} vs ${vad(b)}`);
  }
  if (ref.rows.length !== other.rows.length) {
    equal = false;
    report.push(`stored rows: x64 ${ref.rows.length}, other ${other.rows.length}`);
  }
  let maxConf = 0;
  for (let i = 0; i < Math.min(ref.rows.length, other.rows.length); i++) {
    for (const k of EXACT_ROW_KEYS) {
      if (ref.rows[i][k] !== other.rows[i][k]) {
        equal = false;
        report.push(`row ${i} ${k}: x64 ${JSON.stringify(ref.rows[i][k])} vs ${JSON.stringify(other.rows[i][k])}`);
      }
    }
    maxConf = Math.max(maxConf, floatDiff(ref.rows[i].confidence, other.rows[i].confidence));
  }
  if (ref.rows.length === other.rows.length && equal) {
    report.push(`stored rows equal (${ref.rows.length}: ${EXACT_ROW_KEYS.join(', ')}); confidence ${maxConf === 0 ? 'bit-identical' : `max |diff| ${maxConf.toExponential(2)}`}`);
  }
  if (!Number.isFinite(maxConf)) {
    equal = false;
    report.push('a confidence is missing on one side');
  }
  return { equal, report };
}
