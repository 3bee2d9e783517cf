import { EventEmitter } from 'node:events';
import { SerialPortStream, type OpenOptions } from '@serialport/stream';
import type { FrozenConfig } from '../config/schema.js';
import { Backoff } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import { encodeLed, FrameDecoder, type BoardMessage, type DecoderStats, type LedState } from './frame-codec.js';

/** A serial binding (bindings-cpp, binding-mock); the interface package's types are not ESM-resolvable. */
type BindingInterface = OpenOptions['binding'];

export interface IndicatorDeviceOptions {
  cfg: FrozenConfig['serial'];
  logger: Logger;
  /** Serial binding: @serialport/bindings-cpp on a device, @serialport/binding-mock in unit tests. */
  binding?: BindingInterface;
}

export interface IndicatorStats extends DecoderStats {
  connected: boolean;
  reconnects: number;
  firmware: string | null;
  hardMute: boolean | null;
}

/**
 * The indicator/mute board. Opens the port, reconnects with backoff after unplug/EIO,
 * re-sends the LED state on (re)connect and periodically, and emits:
 *   'mute' (on: boolean)  — the hardware mute switch (authoritative; MQTT cannot override it)
 *   'button' ('SESSION' | 'MUTE'), 'connected', 'disconnected' (reason)
 */
export class IndicatorDevice extends EventEmitter {
  private port: SerialPortStream | undefined;
  private decoder = new FrameDecoder();
  private readonly backoff: Backoff;
  private led: LedState = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = true;
  private reconnects = 0;
  private firmware: string | null = null;
  private hardMute: boolean | null = null;
  private binding: BindingInterface | undefined;

  constructor(private readonly o: IndicatorDeviceOptions) {
    super();
    this.backoff = new Backoff(o.cfg.reconnect_initial_ms, o.cfg.reconnect_max_ms);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const binding = this.o.binding ?? (await import('@serialport/bindings-cpp')).autoDetect();
    this.binding = binding;
    this.open(binding);
    this.heartbeat = setInterval(() => this.write(encodeLed(this.led)), this.o.cfg.heartbeat_s * 1000);
    this.heartbeat.unref();
  }

  /** Show a state. Sent now if connected, and again on every reconnect. */
  setLed(state: LedState): void {
    this.led = state;
    this.write(encodeLed(state));
  }

  ledState(): LedState {
    return this.led;
  }

  stats(): IndicatorStats {
    return { ...this.decoder.stats, connected: !!this.port?.isOpen, reconnects: this.reconnects, firmware: this.firmware, hardMute: this.hardMute };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  private open(binding: BindingInterface): void {
    if (this.stopped) return;
    const port = new SerialPortStream({ binding, path: this.o.cfg.path, baudRate: this.o.cfg.baud_rate, autoOpen: false });
    this.port = port;
    this.decoder = new FrameDecoder();
    port.on('data', (chunk: Buffer) => {
      for (const m of this.decoder.push(chunk)) this.onMessage(m);
    });
    port.on('error', (err: Error) => this.lost(binding, port, err.message));
    port.on('close', () => this.lost(binding, port, 'closed'));
    port.open((err) => {
      if (err) {
        this.lost(binding, port, err.message);
        return;
      }
      this.backoff.reset();
      this.o.logger.info({ path: this.o.cfg.path }, 'serial.connected');
      this.emit('connected');
      this.write(encodeLed(this.led));
    });
  }

  private lost(binding: BindingInterface, port: SerialPortStream, reason: string): void {
    if (this.port !== port) return; // already handled
    this.port = undefined;
    port.removeAllListeners('data');
    if (port.isOpen) port.close(() => undefined);
    if (this.stopped) return;
    const delayMs = this.backoff.next();
    this.reconnects++;
    this.o.logger.warn({ path: this.o.cfg.path, reason, delayMs }, 'serial.disconnected');
    this.emit('disconnected', reason);
    this.timer = setTimeout(() => this.open(binding), delayMs);
  }

  private write(frame: Buffer): void {
    const port = this.port;
    if (!port?.isOpen) return;
    port.write(frame, (err) => {
      if (err && this.binding) this.lost(this.binding, port, err.message);
    });
  }

  private onMessage(m: BoardMessage): void {
    switch (m.type) {
      case 'HELLO':
        this.firmware = m.firmware;
        this.o.logger.info({ firmware: m.firmware }, 'serial.hello');
        this.write(encodeLed(this.led));
        break;
      case 'MUTE':
        if (this.hardMute !== m.on) {
          this.hardMute = m.on;
          this.emit('mute', m.on);
        }
        break;
      case 'BTN':
        this.emit('button', m.button);
        break;
      case 'ERR':
        this.o.logger.warn({ text: m.text }, 'serial.board_error');
        break;
      default:
        break;
    }
  }
}
