/**
 * src/pipeline/catch-up.ts: drains the backlog (store-and-catch-up). Takes the oldest
 * spooled segment, runs the deferred stages (diarization, ASR) over its audio, and writes
 * the results with `segments.revise`. It never starves live audio: one item at a time, a
 * macrotask yield between items, and only while `canRun()` (the tier) allows. stop() aborts
 * the item in flight and returns it to `queued` (never left `running`).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { BacklogItem, BacklogRepo } from '../storage/backlog-repo.js';
import type { Logger } from '../util/logger.js';
import type { PipelineSegment, SegmentRevision, SegmentStage } from './types.js';

/** The part of the storage API catch-up needs (`db.segments.revise`). */
export interface SegmentReviser {
  revise(sessionId: string, rev: SegmentRevision): { segmentId: string; rev: number; seq: number } | undefined;
}

export interface CatchUpOptions {
  db: { segments: SegmentReviser };
  stages: SegmentStage[];
  backlog: BacklogRepo;
  logger: Logger;
  /** True while the current tier allows deferred work (e.g. actions.asr !== 'deferred'). */
  canRun: () => boolean;
  /** Re-check interval while idle or held back by the tier, ms (kick() wakes it sooner). */
  pollMs?: number;
  /** Pause after each item, ms (0: just yield to the event loop). */
  pauseBetweenItemsMs?: number;
}

export interface CatchUpStats {
  queued: number;
  bytes: number;
  /** Estimated seconds to drain at the measured catch-up speed; null before the first item. */
  etaS: number | null;
  /** Items written back since start. */
  done: number;
  running: boolean;
}

export class CatchUp {
  private running = false;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  /** Exponential moving average of processing seconds per audio second. */
  private rtf: number | null = null;
  private done = 0;

  constructor(private readonly o: CatchUpOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Stop after aborting the item in flight (it returns to queued). Resolves when idle. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
  }

  /** Wake the loop now (new backlog item, tier change, drain job). */
  kick(): void {
    this.wake?.();
  }

  stats(): CatchUpStats {
    const s = this.o.backlog.stats();
    return { queued: s.queued + s.running, bytes: s.bytes, etaS: this.rtf === null ? null : Math.round(s.audioS * this.rtf), done: this.done, running: this.running };
  }

  private async run(): Promise<void> {
    const log = this.o.logger;
    while (this.running) {
      const item = this.o.canRun() ? this.o.backlog.claimOldest() : undefined;
      if (!item) {
        await this.sleep(this.o.pollMs ?? 5000);
        continue;
      }
      await this.process(item, log);
      if (this.o.pauseBetweenItemsMs) await this.sleep(this.o.pauseBetweenItemsMs);
      else await yieldToLoop();
    }
  }

  private async process(item: BacklogItem, log: Logger): Promise<void> {
    const signal = (this.abort as AbortController).signal;
    const t0 = performance.now();
    try {
      const samples = this.o.backlog.readAudio(item);
      let segs: PipelineSegment[] = [{ startSample: item.startSample, endSample: item.endSample, samples, closedAtMonoMs: t0, closeReason: 'silence' }];
      for (const stage of this.o.stages) {
        if (signal.aborted) throw new Error('aborted');
        segs = await untilAborted(stage.process(segs, { sessionId: item.sessionId, tier: 'catch-up', signal }), signal);
      }
      if (signal.aborted) throw new Error('aborted');
      const rev = mergeRevision(item, segs);
      const res = this.o.db.segments.revise(item.sessionId, rev);
      if (!res) log.warn({ id: item.id, sessionId: item.sessionId, startSample: item.startSample }, 'catchup.segment_missing');
      this.o.backlog.complete(item);
      this.done++;
      const audioS = (item.endSample - item.startSample) / 16000;
      const took = (performance.now() - t0) / 1000;
      if (audioS > 0) this.rtf = this.rtf === null ? took / audioS : 0.8 * this.rtf + 0.2 * (took / audioS);
      log.info({ id: item.id, sessionId: item.sessionId, audioMs: Math.round(audioS * 1000), durationMs: Math.round(took * 1000) }, 'catchup.item_done');
    } catch (e) {
      const aborted = signal.aborted;
      this.o.backlog.release(item, aborted ? undefined : (e as Error).message);
      if (!aborted) log.error({ id: item.id, err: e, attempts: item.attempts }, 'catchup.item_failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * Fold the stage output back onto the one stored segment: texts joined in time order,
 * the speaker who holds most of the audio, the lowest confidence, words concatenated.
 */
export function mergeRevision(item: BacklogItem, segs: PipelineSegment[]): SegmentRevision {
  const rev: SegmentRevision = { startSample: item.startSample, endSample: item.endSample };
  const sorted = [...segs].sort((a, b) => a.startSample - b.startSample);
  const texts = sorted.map((s) => s.text).filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  if (sorted.some((s) => s.text !== undefined)) rev.text = texts.join(' ').trim();
  const bySpeaker = new Map<string, number>();
  for (const s of sorted) if (s.speaker) bySpeaker.set(s.speaker, (bySpeaker.get(s.speaker) ?? 0) + (s.endSample - s.startSample));
  if (bySpeaker.size > 0) rev.speaker = [...bySpeaker.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const confs = sorted.map((s) => s.confidence).filter((c): c is number => typeof c === 'number');
  if (confs.length > 0) rev.confidence = Math.min(...confs);
  const words = sorted.flatMap((s) => s.words ?? []);
  if (words.length > 0) rev.words = words;
  return rev;
}

/** Resolve with `p`, or reject as soon as `signal` aborts (a stage that ignores its signal cannot hold up stop()). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
