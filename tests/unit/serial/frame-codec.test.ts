import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc8, encodeFrame, encodeLed, FrameDecoder, MAX_FRAME_BYTES, LED_STATES } from '../../../src/serial/frame-codec.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const frame = (body: string): string => `$${body}*${crc8(body).toString(16).toUpperCase().padStart(2, '0')}\n`;

test('CRC-8 (poly 0x07) matches the standard check value', () => {
  assert.equal(crc8('123456789'), 0xf4);
});

test('every LED state encodes to a frame the decoder grammar accepts', () => {
  for (const s of LED_STATES) assert.equal(encodeLed(s).toString('latin1'), frame(`LED,${s}`));
  assert.throws(() => encodeFrame('LED', 'a*b'), /forbidden/);
  assert.throws(() => encodeFrame('LED', 'x'.repeat(200)), /too long/);
});

test('board messages decode, split across arbitrary chunk boundaries', () => {
  const stream = bytes(frame('HELLO,1.2') + frame('MUTE,1') + frame('BTN,SESSION') + frame('PONG,7') + frame('MUTE,0').replace('\n', '\r\n'));
  for (let cut = 1; cut < stream.length; cut += 3) {
    const d = new FrameDecoder();
    const msgs = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.deepEqual(msgs, [
      { type: 'HELLO', firmware: '1.2' }, { type: 'MUTE', on: true }, { type: 'BTN', button: 'SESSION' }, { type: 'PONG', n: 7 }, { type: 'MUTE', on: false },
    ]);
  }
});

test('garbage, partial frames, bad checksums, unknown types and over-long lines are dropped and counted; the next frame is decoded', () => {
  const d = new FrameDecoder();
  const bad = frame('MUTE,1').replace(/\*..\n/, '*00\n');
  const input = `noise\x00\xff${bad}$MUTE,1$MUTE${frame('FOO,1')}${frame('MUTE,2')}$${'A'.repeat(MAX_FRAME_BYTES + 10)}\n${frame('BTN,MUTE')}`;
  const msgs = d.push(bytes(input));
  assert.deepEqual(msgs, [{ type: 'BTN', button: 'MUTE' }]);
  assert.equal(d.stats.badChecksum, 1);
  assert.equal(d.stats.overlong, 1);
  assert.ok(d.stats.malformed >= 4, JSON.stringify(d.stats));
  assert.ok(d.stats.garbageBytes >= 7);
});

test('property: arbitrary bytes never throw, the buffer stays capped, and a valid frame after them is decoded', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (junk) => {
    const d = new FrameDecoder();
    d.push(junk);
    assert.ok(d.buffered() <= MAX_FRAME_BYTES);
    const msgs = d.push(bytes(`\n${frame('MUTE,1')}`));
    assert.deepEqual(msgs.at(-1), { type: 'MUTE', on: true });
  }), { numRuns: 500 });
});

test('a 1 MB flood of noise is handled in bounded memory', () => {
  const d = new FrameDecoder();
  const flood = Buffer.alloc(1 << 20, 0x41);
  for (let i = 0; i < flood.length; i += 4096) flood[i] = 0x24; // '$' every 4 KiB: long junk frames
  d.push(flood);
  assert.ok(d.buffered() <= MAX_FRAME_BYTES);
  assert.ok(d.stats.overlong > 200);
});
