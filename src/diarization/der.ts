import { maxWeightAssignment } from './hungarian.js';
import type { Turn } from './rttm.js';

export interface DerOptions {
  /**
   * No-score zone in seconds on each side of every reference turn boundary
   * (md-eval.pl `-c`): 0.25 excludes +/-0.25 s around each boundary.
   */
  collarS?: number;
  /** Evaluation partitions per file; default: from the first reference start to the last reference end (md-eval.pl without a UEM). */
  uem?: Readonly<Record<string, readonly { startS: number; endS: number }[]>>;
  /** Score only regions where at most one reference speaker talks (md-eval.pl `-1`). Default false: overlap included. */
  skipOverlap?: boolean;
}

export interface DerResult {
  /** Total reference speaker time scored (overlap counts once per speaker), seconds. */
  scoredSpeakerS: number;
  missedS: number;
  falseAlarmS: number;
  confusionS: number;
  /** (missed + false alarm + confusion) / scored speaker time; 0 when nothing is scored. */
  der: number;
  /** Optimal reference → hypothesis speaker mapping (per file, `file/ref` keys when several files). */
  mapping: Record<string, string | null>;
  /** Hypothesis speaker count and reference speaker count (over all files). */
  hypSpeakers: number;
  refSpeakers: number;
}

interface Interval {
  durS: number;
  ref: number[];
  hyp: number[];
}

interface Ev {
  t: number;
  kind: 0 | 1 | 2 | 3; // 0 ref, 1 hyp, 2 no-score (collar), 3 uem
  id: number;
  d: 1 | -1;
}

/** Elementary intervals of one file with the active speakers, scored region only. */
function intervalsOf(ref: readonly Turn[], hyp: readonly Turn[], refIds: Map<string, number>, hypIds: Map<string, number>,
  uem: readonly { startS: number; endS: number }[], collarS: number, skipOverlap: boolean): Interval[] {
  const ev: Ev[] = [];
  for (const t of ref) {
    if (t.durationS <= 0) continue;
    const id = refIds.get(t.speaker)!;
    ev.push({ t: t.startS, kind: 0, id, d: 1 }, { t: t.startS + t.durationS, kind: 0, id, d: -1 });
    if (collarS > 0) {
      for (const b of [t.startS, t.startS + t.durationS]) {
        ev.push({ t: Math.max(0, b - collarS), kind: 2, id: 0, d: 1 }, { t: b + collarS, kind: 2, id: 0, d: -1 });
      }
    }
  }
  for (const t of hyp) {
    if (t.durationS <= 0) continue;
    const id = hypIds.get(t.speaker)!;
    ev.push({ t: t.startS, kind: 1, id, d: 1 }, { t: t.startS + t.durationS, kind: 1, id, d: -1 });
  }
  for (const u of uem) if (u.endS > u.startS) ev.push({ t: u.startS, kind: 3, id: 0, d: 1 }, { t: u.endS, kind: 3, id: 0, d: -1 });
  // round to microseconds so that 0.1 + 0.2 style noise does not create sliver intervals
  for (const e of ev) e.t = Math.round(e.t * 1e6) / 1e6;
  ev.sort((a, b) => a.t - b.t);
  const refCount = new Int32Array(refIds.size);
  const hypCount = new Int32Array(hypIds.size);
  let noScore = 0;
  let inUem = 0;
  const out: Interval[] = [];
  let i = 0;
  while (i < ev.length) {
    const t = ev[i].t;
    while (i < ev.length && ev[i].t === t) {
      const e = ev[i++];
      if (e.kind === 0) refCount[e.id] += e.d;
      else if (e.kind === 1) hypCount[e.id] += e.d;
      else if (e.kind === 2) noScore += e.d;
      else inUem += e.d;
    }
    if (i >= ev.length) break;
    const durS = ev[i].t - t;
    if (durS <= 0 || inUem <= 0 || noScore > 0) continue;
    const r: number[] = [];
    const h: number[] = [];
    for (let k = 0; k < refCount.length; k++) if (refCount[k] > 0) r.push(k);
    for (let k = 0; k < hypCount.length; k++) if (hypCount[k] > 0) h.push(k);
    if (skipOverlap && r.length > 1) continue;
    if (r.length === 0 && h.length === 0) continue;
    out.push({ durS, ref: r, hyp: h });
  }
  return out;
}

function groupByFile(turns: readonly Turn[]): Map<string, Turn[]> {
  const m = new Map<string, Turn[]>();
  for (const t of turns) {
    const a = m.get(t.file);
    if (a) a.push(t);
    else m.set(t.file, [t]);
  }
  return m;
}

/**
 * Diarization error rate, md-eval.pl style: missed + false alarm + speaker confusion
 * over total scored reference speaker time, with overlapping speech scored per speaker,
 * a one-to-one optimal (maximum overlap, Hungarian) speaker mapping per file, an optional
 * collar and optional UEM.
 */
export function computeDer(ref: readonly Turn[], hyp: readonly Turn[], opts: DerOptions = {}): DerResult {
  const collarS = opts.collarS ?? 0;
  const refFiles = groupByFile(ref);
  const hypFiles = groupByFile(hyp);
  const res: DerResult = { scoredSpeakerS: 0, missedS: 0, falseAlarmS: 0, confusionS: 0, der: 0, mapping: {}, hypSpeakers: 0, refSpeakers: 0 };
  const files = [...new Set([...refFiles.keys(), ...(opts.uem ? Object.keys(opts.uem) : [])])];
  const multi = files.length > 1;
  for (const file of files) {
    const r = refFiles.get(file) ?? [];
    const h = hypFiles.get(file) ?? [];
    let uem = opts.uem?.[file];
    if (!uem) {
      if (r.length === 0) continue;
      let lo = Infinity;
      let hi = -Infinity;
      for (const t of r) {
        lo = Math.min(lo, t.startS);
        hi = Math.max(hi, t.startS + t.durationS);
      }
      uem = [{ startS: lo, endS: hi }];
    }
    const refIds = new Map<string, number>();
    const hypIds = new Map<string, number>();
    for (const t of r) if (!refIds.has(t.speaker)) refIds.set(t.speaker, refIds.size);
    for (const t of h) if (!hypIds.has(t.speaker)) hypIds.set(t.speaker, hypIds.size);
    res.refSpeakers += refIds.size;
    res.hypSpeakers += hypIds.size;
    const ints = intervalsOf(r, h, refIds, hypIds, uem, collarS, opts.skipOverlap ?? false);
    const overlap: number[][] = Array.from({ length: refIds.size }, () => new Array<number>(hypIds.size).fill(0));
    for (const iv of ints) for (const a of iv.ref) for (const b of iv.hyp) overlap[a][b] += iv.durS;
    const map = maxWeightAssignment(overlap);
    const hypNames = [...hypIds.keys()];
    for (const [name, id] of refIds) res.mapping[multi ? `${file}/${name}` : name] = map[id] >= 0 ? hypNames[map[id]] : null;
    for (const iv of ints) {
      const nRef = iv.ref.length;
      const nHyp = iv.hyp.length;
      let correct = 0;
      for (const a of iv.ref) if (map[a] >= 0 && iv.hyp.includes(map[a])) correct++;
      res.scoredSpeakerS += iv.durS * nRef;
      res.missedS += iv.durS * Math.max(0, nRef - nHyp);
      res.falseAlarmS += iv.durS * Math.max(0, nHyp - nRef);
      res.confusionS += iv.durS * (Math.min(nRef, nHyp) - correct);
    }
  }
  res.der = res.scoredSpeakerS > 0 ? (res.missedS + res.falseAlarmS + res.confusionS) / res.scoredSpeakerS : 0;
  return res;
}

/** Turns from labelled segments (ms times), merging touching turns of the same speaker. */
export function turnsFromSegments(file: string, segs: readonly { startMs: number; endMs: number; speaker: string }[]): Turn[] {
  const sorted = [...segs].sort((a, b) => a.startMs - b.startMs);
  const out: Turn[] = [];
  for (const s of sorted) {
    if (s.endMs <= s.startMs) continue;
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (last && last.speaker === s.speaker && Math.abs(last.startS + last.durationS - s.startMs / 1000) < 1e-6) {
      last.durationS = s.endMs / 1000 - last.startS;
    } else {
      out.push({ file, startS: s.startMs / 1000, durationS: (s.endMs - s.startMs) / 1000, speaker: s.speaker });
    }
  }
  return out;
}
