/**
 * Line protocol of the parley indicator/mute board (see docs/serial.md).
 *
 *   frame   = "$" body "*" crc "\n"        (a trailing "\r" before "\n" is tolerated)
 *   body    = TYPE *( "," FIELD )          printable ASCII 0x20..0x7E except "$" and "*"
 *   crc     = two upper-case hex digits: CRC-8 (poly 0x07, init 0x00) over the body bytes
 *
 * Host → board:  $LED,<idle|listening|recording|muted|error|updating>   $PING,<n>
 * Board → host:  $HELLO,<fw>   $MUTE,<0|1>   $BTN,<SESSION|MUTE>   $PONG,<n>   $ERR,<text>
 *
 * The decoder is pure and resynchronises on the next "$": garbage, partial frames, bad
 * checksums and over-long lines are dropped and counted; its buffer never exceeds
 * MAX_FRAME_BYTES.
 */

export const MAX_FRAME_BYTES = 96;

export const LED_STATES = ['idle', 'listening', 'recording', 'muted', 'error', 'updating'] as const;
export type LedState = (typeof LED_STATES)[number];

export type BoardMessage =
  | { type: 'HELLO'; firmware: string }
  | { type: 'MUTE'; on: boolean }
  | { type: 'BTN'; button: 'SESSION' | 'MUTE' }
  | { type: 'PONG'; n: number }
  | { type: 'ERR'; text: string };

export interface DecoderStats {
  frames: number;
  badChecksum: number;
  malformed: number;
  overlong: number;
  garbageBytes: number;
}

export function crc8(bytes: Uint8Array | string): number {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  let crc = 0;
  for (const byte of b) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function encodeFrame(type: string, ...fields: Array<string | number>): Buffer {
  const body = [type, ...fields.map(String)].join(',');
  if (!/^[\x20-\x7e]*$/.test(body) || /[$*]/.test(body)) throw new RangeError(`frame body has forbidden characters: ${JSON.stringify(body)}`);
  if (body.length + 5 > MAX_FRAME_BYTES) throw new RangeError('frame too long');
  return Buffer.from(`$${body}*${crc8(body).toString(16).toUpperCase().padStart(2, '0')}\n`, 'latin1');
}

export function encodeLed(state: LedState): Buffer {
  return encodeFrame('LED', state);
}

/** Parse a checked body into a typed message, or undefined when it is not one we know. */
export function parseBody(body: string): BoardMessage | undefined {
  const [type, ...f] = body.split(',');
  switch (type) {
    case 'HELLO':
      return f.length === 1 && f[0] !== '' ? { type, firmware: f[0] } : undefined;
    case 'MUTE':
      return f.length === 1 && (f[0] === '0' || f[0] === '1') ? { type, on: f[0] === '1' } : undefined;
    case 'BTN':
      return f.length === 1 && (f[0] === 'SESSION' || f[0] === 'MUTE') ? { type, button: f[0] } : undefined;
    case 'PONG':
      return f.length === 1 && /^\d{1,9}$/.test(f[0]) ? { type, n: Number(f[0]) } : undefined;
    case 'ERR':
      return f.length >= 1 ? { type, text: f.join(',') } : undefined;
    default:
      return undefined;
  }
}

/** Streaming, resynchronising decoder. Feed arbitrary chunks; get whole valid messages. */
export class FrameDecoder {
  private buf = '';
  private inFrame = false;
  readonly stats: DecoderStats = { frames: 0, badChecksum: 0, malformed: 0, overlong: 0, garbageBytes: 0 };

  push(chunk: Uint8Array): BoardMessage[] {
    const out: BoardMessage[] = [];
    for (const byte of chunk) {
      const ch = String.fromCharCode(byte);
      if (ch === '$') {
        if (this.inFrame) this.stats.malformed++; // a new start inside a frame: the old one was partial
        this.inFrame = true;
        this.buf = '';
        continue;
      }
      if (!this.inFrame) {
        if (ch !== '\n' && ch !== '\r') this.stats.garbageBytes++;
        continue;
      }
      if (ch === '\n') {
        const msg = this.finish(this.buf.endsWith('\r') ? this.buf.slice(0, -1) : this.buf);
        if (msg) out.push(msg);
        this.inFrame = false;
        this.buf = '';
        continue;
      }
      if (this.buf.length >= MAX_FRAME_BYTES) {
        this.stats.overlong++;
        this.inFrame = false;
        this.buf = '';
        continue;
      }
      this.buf += ch;
    }
    return out;
  }

  /** Bytes currently held (always ≤ MAX_FRAME_BYTES). */
  buffered(): number {
    return this.buf.length;
  }

  private finish(line: string): BoardMessage | undefined {
    const star = line.lastIndexOf('*');
    if (star < 1 || line.length - star !== 3 || !/^[0-9A-Fa-f]{2}$/.test(line.slice(star + 1))) {
      this.stats.malformed++;
      return undefined;
    }
    const body = line.slice(0, star);
    if (!/^[\x20-\x7e]*$/.test(body)) {
      this.stats.malformed++;
      return undefined;
    }
    if (crc8(body) !== parseInt(line.slice(star + 1), 16)) {
      this.stats.badChecksum++;
      return undefined;
    }
    const msg = parseBody(body);
    if (!msg) {
      this.stats.malformed++;
      return undefined;
    }
    this.stats.frames++;
    return msg;
  }
}
