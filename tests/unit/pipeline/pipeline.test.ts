import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArraySource } from '../../../src/pipeline/array-source.js';
import { CollectSink } from '../../../src/pipeline/collect-sink.js';
import { Pipeline, type VadEvent, type VadLike } from '../../../src/pipeline/pipeline.js';
import type { PipelineSegment, SegmentStage } from '../../../src/pipeline/types.js';
import type { AudioFrame } from '../../../src/audio/types.js';
import { silentLogger } from '../../../src/util/logger.js';

/** Pure-logic stand-in for the Silero VAD: speech wherever the frame's first sample is > 0.5. */
class ThresholdVad implements VadLike {
  private start: number | undefined;
  private buf: Float32Array[] = [];
  calls = 0;
  async push(frames: AudioFrame[]): Promise<VadEvent[]> {
    this.calls++;
    const out: VadEvent[] = [];
    for (const f of frames) {
      const speech = f.samples[0] > 0.5;
      if (speech && this.start === undefined) {
        this.start = f.startSample;
        out.push({ type: 'speech_start', startSample: f.startSample });
      }
      if (speech) this.buf.push(f.samples);
      if (!speech && this.start !== undefined) out.push(this.close(f.startSample));
    }
    return out;
  }
  private close(end: number): VadEvent {
    const samples = new Float32Array(this.buf.length * 512);
    this.buf.forEach((b, i) => samples.set(b, i * 512));
    const ev: VadEvent = { type: 'speech_end', segment: { startSample: this.start!, endSample: end, samples, closedAtMonoMs: performance.now(), closeReason: 'silence' } };
    this.start = undefined;
    this.buf = [];
    return ev;
  }
  flush(): VadEvent[] {
    return this.start === undefined ? [] : [this.close(this.start + this.buf.length * 512)];
  }
  reset(): void {
    this.start = undefined;
  }
}

function audio(pattern: string): Float32Array {
  // one char per 512-sample frame: '#' speech, '.' silence
  const a = new Float32Array(pattern.length * 512);
  [...pattern].forEach((c, i) => a.fill(c === '#' ? 0.9 : 0, i * 512, (i + 1) * 512));
  return a;
}

const labeler: SegmentStage = {
  name: 'label',
  async process(segs) {
    return segs.map((s) => ({ ...s, speaker: s.startSample < 5000 ? 'A' : 'B' }));
  },
  async endSession() {
    return [{ startSample: 512, endSample: 2048, speaker: 'C' }];
  },
  describe: () => ({ engine: 'label' }),
};

test('segments flow VAD → stages in order → sink; end of session revises', async () => {
  const sink = new CollectSink();
  const texter: SegmentStage = {
    name: 'text',
    async process(segs: PipelineSegment[]) {
      return segs.map((s) => ({ ...s, text: `${s.speaker}:${(s.endSample - s.startSample) / 512}` }));
    },
    describe: () => ({}),
  };
  const p = new Pipeline({ vad: new ThresholdVad(), stages: [labeler, texter], sink, logger: silentLogger().root, tier: () => 'normal', sessionId: 's', vadBatchFrames: 4 });
  const stats = await p.run(new ArraySource(audio('.###....#####..##')), new AbortController().signal);
  assert.equal(stats.segments, 3);
  assert.deepEqual(sink.sorted().map((s) => [s.startSample / 512, s.endSample / 512, s.text]), [[1, 4, 'A:3'], [8, 13, 'A:5'], [15, 17, 'B:2']]);
  await p.endSession(new AbortController().signal);
  assert.equal(sink.sorted()[0].speaker, 'C', 'revision applied by start sample');
});

test('a failing stage is counted and the segment is still stored without its output', async () => {
  const sink = new CollectSink();
  const broken: SegmentStage = { name: 'asr', process: async () => { throw new Error('boom'); }, describe: () => ({}) };
  const errors: string[] = [];
  const p = new Pipeline({ vad: new ThresholdVad(), stages: [labeler, broken], sink, logger: silentLogger().root, tier: () => 'normal', sessionId: 's', onStageError: (s) => errors.push(s) });
  const stats = await p.run(new ArraySource(audio('..##..')), new AbortController().signal);
  assert.equal(stats.stageErrors, 1);
  assert.deepEqual(errors, ['asr']);
  assert.equal(sink.segments.length, 1);
  assert.equal(sink.segments[0].speaker, 'A');
  assert.equal(sink.segments[0].text, undefined);
});

test('VAD calls are batched for file sources and the last partial frame is padded, not lost', async () => {
  const vad = new ThresholdVad();
  const sink = new CollectSink();
  const p = new Pipeline({ vad, stages: [], sink, logger: silentLogger().root, tier: () => 'normal', sessionId: 's', vadBatchFrames: 32 });
  const a = audio('#'.repeat(100));
  const stats = await p.run(new ArraySource(a.subarray(0, a.length - 100)), new AbortController().signal);
  assert.equal(vad.calls, 4);
  assert.equal(stats.samplesIn, 100 * 512);
  assert.equal(sink.segments.length, 1, 'speech open at end of input is flushed');
});

test('stopping capture lets queued segments finish; a stage cut off by the stop deadline defers the segment instead of losing it', async () => {
  const sink = new CollectSink();
  const stageStop = new AbortController();
  let calls = 0;
  const slowAsr: SegmentStage = {
    name: 'asr',
    async process(segs, ctx) {
      calls++;
      if (calls === 1) return segs.map((s) => ({ ...s, text: 'done' }));
      // the second segment outlives the grace period: the stop deadline aborts it
      await new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('recognition aborted')), { once: true }));
      return segs;
    },
    describe: () => ({}),
  };
  const capture = new AbortController();
  const p = new Pipeline({ vad: new ThresholdVad(), stages: [slowAsr], sink, logger: silentLogger().root, tier: () => 'normal', sessionId: 's' });
  const running = p.run(new ArraySource(audio('.##..##..')), capture.signal, stageStop.signal);
  setTimeout(() => stageStop.abort(), 200);
  const stats = await running;
  assert.equal(stats.stageErrors, 0, 'an abort at the deadline is not an error');
  assert.deepEqual(sink.sorted().map((s) => [s.text ?? null, s.deferred ?? []]), [['done', []], [null, ['asr']]]);
});

/** A live source whose capture delivers `burst` frames per read (arecord reads 125 ms = ~4 frames). */
class BurstSource {
  readonly kind = 'alsa' as const;
  private ready = 0;
  private emitted = 0;
  constructor(private readonly samples: Float32Array, private readonly burst: number) {}
  readyFrames(): number {
    return this.ready;
  }
  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    const n = Math.floor(this.samples.length / 512);
    for (let b = 0; b < n; b += this.burst) {
      await new Promise((r) => setTimeout(r, 2)); // the next capture read arrives later
      const count = Math.min(this.burst, n - b);
      for (let k = 0; k < count; k++) {
        if (signal.aborted) return;
        this.ready = count - k - 1;
        this.emitted++;
        yield { samples: this.samples.subarray((b + k) * 512, (b + k + 1) * 512), startSample: (b + k) * 512 };
      }
      this.ready = 0;
    }
  }
  stats() {
    return { framesEmitted: this.emitted, framesDropped: 0, restarts: 0, gaps: 0 };
  }
}

test('live sources: frames already captured go to the VAD in one call with the current frame, never waiting for more', async () => {
  const pattern = '.###....#####..##...'; // 20 frames
  for (const [burst, calls] of [[4, 5], [1, 20], [3, 7]] as const) {
    const vad = new ThresholdVad();
    const sink = new CollectSink();
    const p = new Pipeline({ vad, stages: [], sink, logger: silentLogger().root, tier: () => 'normal', sessionId: 's', vadBatchFrames: 8 });
    const stats = await p.run(new BurstSource(audio(pattern), burst), new AbortController().signal);
    assert.equal(vad.calls, calls, `burst ${burst}: one VAD call per capture read`);
    assert.equal(stats.segments, 3, `burst ${burst}`);
    assert.deepEqual(sink.sorted().map((s) => [s.startSample / 512, s.endSample / 512]), [[1, 4], [8, 13], [15, 17]]);
  }
  // a burst larger than the batch bound is split at the bound
  const vad = new ThresholdVad();
  const p = new Pipeline({ vad, stages: [], sink: new CollectSink(), logger: silentLogger().root, tier: () => 'normal', sessionId: 's', vadBatchFrames: 8 });
  await p.run(new BurstSource(audio(pattern), 20), new AbortController().signal);
  assert.equal(vad.calls, 3, '20 waiting frames with a bound of 8: 8 + 8 + 4');
});
