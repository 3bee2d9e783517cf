/**
 * T17 malformed-WAV corpus: every defect is built here and named. Each case must end in
 * a WavFormatError {offset, field} or a documented lenient read, quickly, with decoded
 * sample storage no larger than the bytes in the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav } from '../../src/audio/wav-reader.js';
import { WavFormatError } from '../../src/util/errors.js';
import { chunk, fmtBody, pcm16Body, riff } from '../helpers/audio-wav-builder.js';

const tone = pcm16Body(Array.from({ length: 64 }, (_, i) => 1000 * Math.sin(i / 3)));
const goodFmt = chunk('fmt ', fmtBody());

type Expect = { reject: string } | { frames: number; note?: RegExp };
interface Case { name: string; bytes: Uint8Array; expect: Expect }

function withU32(buf: Uint8Array, off: number, v: number): Buffer {
  const b = Buffer.from(buf);
  b.writeUInt32LE(v >>> 0, off);
  return b;
}

const base = riff([goodFmt, chunk('data', tone)]);
const dataSizeOffset = 12 + 8 + 16 + 4;

const cases: Case[] = [
  { name: 'empty-file', bytes: new Uint8Array(0), expect: { reject: 'riff' } },
  { name: 'eleven-bytes', bytes: Buffer.from('RIFF\0\0\0\0WAV'), expect: { reject: 'riff' } },
  { name: 'not-riff', bytes: Buffer.from('ID3\x04' + 'x'.repeat(60), 'latin1'), expect: { reject: 'riff.id' } },
  { name: 'rifx-big-endian', bytes: riff([goodFmt, chunk('data', tone)], { id: 'RIFX' }), expect: { reject: 'riff.id' } },
  { name: 'rf64', bytes: riff([goodFmt, chunk('data', tone)], { id: 'RF64' }), expect: { reject: 'riff.id' } },
  { name: 'riff-form-not-wave', bytes: riff([goodFmt, chunk('data', tone)], { form: 'AVI ' }), expect: { reject: 'riff.form' } },
  { name: 'riff-size-larger-than-file', bytes: riff([goodFmt, chunk('data', tone)], { declaredSize: 1_000_000 }), expect: { frames: 64, note: /RIFF size/ } },
  { name: 'riff-size-smaller-than-file', bytes: riff([goodFmt, chunk('data', tone)], { declaredSize: 4 }), expect: { frames: 64, note: /RIFF size/ } },
  { name: 'fmt-size-zero (dr_libs #300)', bytes: riff([chunk('fmt ', new Uint8Array(0)), chunk('data', tone)]), expect: { reject: 'fmt.size' } },
  { name: 'fmt-size-0xFFFFFFFF', bytes: riff([chunk('fmt ', fmtBody(), { declaredSize: 0xffffffff }), chunk('data', tone)]), expect: { reject: 'fmt.size' } },
  { name: 'fmt-truncated-mid-chunk', bytes: riff([goodFmt]).subarray(0, 12 + 8 + 10), expect: { reject: 'fmt.size' } },
  { name: 'forged-chunk-size-before-fmt (miniaudio #1151)', bytes: riff([chunk('junk', Buffer.alloc(41), { declaredSize: 0xfffffff8 }), goodFmt, chunk('data', tone)]), expect: { reject: 'fmt' } },
  { name: 'negative-chunk-size-int32', bytes: riff([goodFmt, chunk('LIST', Buffer.alloc(4), { declaredSize: 0x80000000 }), chunk('data', tone)]), expect: { reject: 'data' } },
  { name: 'forged-69-byte-file', bytes: riff([chunk('fmt ', fmtBody()), chunk('abcd', Buffer.alloc(21), { declaredSize: 0xfffffff0 })]), expect: { reject: 'data' } },
  { name: 'odd-chunk-without-pad-byte (ni-media #65)', bytes: riff([goodFmt, chunk('LIST', Buffer.alloc(5), { pad: false }), chunk('data', tone)]), expect: { frames: 64, note: /odd size/ } },
  { name: 'num-channels-zero', bytes: riff([chunk('fmt ', fmtBody({ channels: 0, blockAlign: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.channels' } },
  { name: 'num-channels-65535', bytes: riff([chunk('fmt ', fmtBody({ channels: 65535, blockAlign: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.channels' } },
  { name: 'bits-12', bytes: riff([chunk('fmt ', fmtBody({ bits: 12, blockAlign: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.bitsPerSample' } },
  { name: 'bits-0', bytes: riff([chunk('fmt ', fmtBody({ bits: 0, blockAlign: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.bitsPerSample' } },
  { name: 'bits-24-valid', bytes: riff([chunk('fmt ', fmtBody({ bits: 24 })), chunk('data', Buffer.alloc(30))]), expect: { frames: 10 } },
  { name: 'float-bits-16', bytes: riff([chunk('fmt ', fmtBody({ tag: 3, bits: 16 })), chunk('data', tone)]), expect: { reject: 'fmt.bitsPerSample' } },
  { name: 'format-adpcm-unsupported', bytes: riff([chunk('fmt ', fmtBody({ tag: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.audioFormat' } },
  { name: 'extensible-valid-pcm', bytes: riff([chunk('fmt ', fmtBody({ extensibleSubTag: 1 })), chunk('data', tone)]), expect: { frames: 64 } },
  { name: 'extensible-unknown-guid', bytes: riff([chunk('fmt ', fmtBody({ extensibleSubTag: 1, guidTail: Array(14).fill(7) })), chunk('data', tone)]), expect: { reject: 'fmt.subFormat' } },
  { name: 'extensible-cbsize-too-small', bytes: riff([chunk('fmt ', fmtBody({ extensibleSubTag: 1, cbSize: 0 })), chunk('data', tone)]), expect: { reject: 'fmt.cbSize' } },
  { name: 'extensible-fmt-size-16', bytes: riff([chunk('fmt ', Buffer.from(fmtBody({ extensibleSubTag: 1 })).subarray(0, 16)), chunk('data', tone)]), expect: { reject: 'fmt.size' } },
  { name: 'extensible-subformat-adpcm', bytes: riff([chunk('fmt ', fmtBody({ extensibleSubTag: 2 })), chunk('data', tone)]), expect: { reject: 'fmt.audioFormat' } },
  { name: 'sample-rate-zero', bytes: riff([chunk('fmt ', fmtBody({ rateHz: 0 })), chunk('data', tone)]), expect: { reject: 'fmt.sampleRate' } },
  { name: 'sample-rate-1e9', bytes: riff([chunk('fmt ', fmtBody({ rateHz: 1e9 })), chunk('data', tone)]), expect: { reject: 'fmt.sampleRate' } },
  { name: 'block-align-mismatch', bytes: riff([chunk('fmt ', fmtBody({ blockAlign: 4 })), chunk('data', tone)]), expect: { reject: 'fmt.blockAlign' } },
  { name: 'block-align-zero', bytes: riff([chunk('fmt ', fmtBody({ blockAlign: 0 })), chunk('data', tone)]), expect: { reject: 'fmt.blockAlign' } },
  { name: 'data-size-0xFFFFFFFF (streamed arecord)', bytes: withU32(base, dataSizeOffset, 0xffffffff), expect: { frames: 64, note: /0xFFFFFFFF/ } },
  { name: 'data-not-multiple-of-block-align', bytes: riff([goodFmt, chunk('data', Buffer.concat([tone, Buffer.alloc(1)]))]), expect: { frames: 64, note: /block_align/ } },
  { name: 'truncated-mid-sample', bytes: base.subarray(0, base.length - 1), expect: { frames: 63, note: /declares 128 bytes, 127 present/ } },
  { name: '4GB-declared-in-100-bytes', bytes: withU32(withU32(riff([goodFmt, chunk('data', Buffer.alloc(56))]), 4, 0xffffffff), dataSizeOffset, 0xfffffff0), expect: { frames: 28, note: /declares/ } },
  { name: 'no-fmt-chunk', bytes: riff([chunk('data', tone)]), expect: { reject: 'fmt' } },
  { name: 'no-data-chunk', bytes: riff([goodFmt, chunk('LIST', Buffer.alloc(10))]), expect: { reject: 'data' } },
  { name: 'header-only', bytes: riff([]), expect: { reject: 'fmt' } },
  { name: 'chunk-header-cut-short', bytes: Buffer.concat([riff([goodFmt, chunk('data', tone)]), Buffer.from('LIS')]), expect: { frames: 64, note: /RIFF size/ } },
];

for (const c of cases) {
  test(`malformed WAV: ${c.name}`, () => {
    const t0 = performance.now();
    let result: ReturnType<typeof decodeWav> | undefined;
    let err: unknown;
    try {
      result = decodeWav(c.bytes);
    } catch (e) {
      err = e;
    }
    const ms = performance.now() - t0;
    // Hang detector only (the <50 ms figure is measured in scripts/bench/audio.ts).
    assert.ok(ms < 2000, `took ${ms} ms`);
    if ('reject' in c.expect) {
      assert.ok(err instanceof WavFormatError, `expected WavFormatError, got ${String(err)} / ${result ? 'a result' : ''}`);
      assert.equal(err.field, c.expect.reject);
      assert.equal(err.code, 'WAV_FORMAT');
      assert.ok(err.offset >= 0 && err.offset <= c.bytes.length, `offset ${err.offset} within the file`);
    } else {
      assert.equal(err, undefined, `unexpected error ${String(err)}`);
      assert.ok(result);
      assert.equal(result.frameCount, c.expect.frames);
      const stored = result.channelData.reduce((s, ch) => s + ch.length, 0) * (result.bitsPerSample / 8);
      assert.ok(stored <= c.bytes.length, `decoded ${stored} sample bytes from a ${c.bytes.length}-byte file`);
      const note = c.expect.note;
      if (note) assert.ok(result.notes.some((n) => note.test(n)), `notes ${JSON.stringify(result.notes)}`);
      else assert.deepEqual(result.notes, []);
    }
  });
}
