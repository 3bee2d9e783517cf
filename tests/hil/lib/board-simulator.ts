/**
 * tests/hil/lib/board-simulator.ts — a tiny indicator/mute board on the far end of a pty
 * (the emulated profile). It speaks the real line protocol (src/serial/frame-codec.ts):
 *   - says `$HELLO,<fw>` when started,
 *   - records every `$LED,<state>` it receives with a valid checksum (the "echo" the test
 *     reads back: which states really arrived, in order),
 *   - answers `$PING,n` with `$PONG,n`,
 *   - presses the SESSION button once it has seen every state in `pressAfterStates`.
 * Frames with a bad checksum are counted and ignored, like real firmware must.
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { crc8, encodeFrame } from '../../../src/serial/frame-codec.js';

const BOARD_FLAGS = constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY;

export interface BoardSimulatorOptions {
  path: string;
  firmware?: string;
  /** Press BTN,SESSION after all of these LED states arrived (default: none → never). */
  pressAfterStates?: readonly string[];
  pollMs?: number;
}

export class BoardSimulator {
  readonly leds: string[] = [];
  badFrames = 0;
  pressed = false;
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private line = '';

  constructor(private readonly o: BoardSimulatorOptions) {}

  start(): void {
    this.fd = openSync(this.o.path, BOARD_FLAGS);
    this.send('HELLO', this.o.firmware ?? 'parley-sim-1.0');
    this.timer = setInterval(() => this.poll(), this.o.pollMs ?? 10);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  send(type: string, ...fields: Array<string | number>): void {
    if (this.fd !== undefined) writeSync(this.fd, encodeFrame(type, ...fields));
  }

  private poll(): void {
    if (this.fd === undefined) return;
    const buf = Buffer.alloc(1024);
    for (;;) {
      let n = 0;
      try {
        n = readSync(this.fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return;
        throw e;
      }
      if (n <= 0) return;
      this.line += buf.subarray(0, n).toString('latin1');
      let nl: number;
      while ((nl = this.line.indexOf('\n')) >= 0) {
        this.onLine(this.line.slice(0, nl).replace(/\r$/, ''));
        this.line = this.line.slice(nl + 1);
      }
      if (this.line.length > 256) this.line = '';
    }
  }

  private onLine(raw: string): void {
    const m = /^\$([\x20-\x7e]*)\*([0-9A-F]{2})$/.exec(raw.slice(raw.lastIndexOf('$')));
    if (!m || crc8(m[1] as string) !== parseInt(m[2] as string, 16)) {
      this.badFrames++;
      return;
    }
    const [type, ...f] = (m[1] as string).split(',');
    if (type === 'LED' && f[0]) {
      this.leds.push(f[0]);
      const want = this.o.pressAfterStates ?? [];
      if (!this.pressed && want.length > 0 && want.every((s) => this.leds.includes(s))) {
        this.pressed = true;
        this.send('BTN', 'SESSION');
      }
    } else if (type === 'PING' && f[0]) {
      this.send('PONG', f[0]);
    }
  }
}
