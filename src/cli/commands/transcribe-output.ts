import { SAMPLE_RATE_HZ } from '../../audio/types.js';
import type { PipelineSegment } from '../../pipeline/types.js';

/** The `--json` shape of one segment (a stable contract other tools rely on). */
export function segmentJson(s: PipelineSegment): Record<string, unknown> {
  return {
    type: 'segment',
    start: round3(s.startSample / SAMPLE_RATE_HZ),
    end: round3(s.endSample / SAMPLE_RATE_HZ),
    speaker: s.speaker ?? null,
    text: s.text ?? null,
    confidence: s.confidence ?? null,
  };
}

export function formatSegmentsTable(segs: PipelineSegment[]): string {
  const rows = segs.map((s) => [
    fmtTime(s.startSample / SAMPLE_RATE_HZ),
    fmtTime(s.endSample / SAMPLE_RATE_HZ),
    s.speaker ?? '-',
    s.text ?? '(no text)',
  ]);
  const head = ['start', 'end', 'speaker', 'text'];
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`;
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  const sec = s - m * 60;
  return `${String(m).padStart(2, '0')}:${sec.toFixed(2).padStart(5, '0')}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
