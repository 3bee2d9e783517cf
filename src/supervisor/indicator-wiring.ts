import type { FrozenConfig } from '../config/schema.js';
import { IndicatorDevice } from '../serial/device.js';
import type { LedState } from '../serial/frame-codec.js';
import type { Logger } from '../util/logger.js';
import type { SessionController } from './session-controller.js';

export interface IndicatorWiringDeps {
  cfg: FrozenConfig;
  logger: Logger;
  sessions: () => SessionController | undefined;
  /** True while something is wrong enough to show `error` (inference degraded, safe mode). */
  failing: () => boolean;
  /** True while an OTA update is being installed. */
  updating: () => boolean;
  onChange: () => void;
}

/** The LED state that tells the truth about capture right now. */
export function ledFor(s: SessionController | undefined, failing: boolean, updating: boolean): LedState {
  if (failing) return 'error';
  if (updating) return 'updating';
  const state = s?.captureState() ?? 'idle';
  if (state === 'muted') return 'muted';
  if (state === 'recording') return 'recording';
  if (s?.activeSession) return 'listening';
  return 'idle';
}

/**
 * Connects the serial indicator/mute board: the LED follows the real capture state; the
 * hardware mute switch stops capture at the source and cannot be overridden remotely; the
 * SESSION button starts/stops a session and the MUTE button toggles the soft mute.
 */
export class IndicatorWiring {
  readonly device: IndicatorDevice;

  constructor(private readonly d: IndicatorWiringDeps) {
    this.device = new IndicatorDevice({ cfg: d.cfg.serial, logger: d.logger });
    this.device.on('mute', (on: boolean) => {
      void this.d.sessions()?.setMuted(on, true).then(() => this.refresh());
    });
    this.device.on('button', (b: 'SESSION' | 'MUTE') => void this.onButton(b));
  }

  async start(): Promise<void> {
    await this.device.start();
    this.refresh();
  }

  refresh(): void {
    this.device.setLed(ledFor(this.d.sessions(), this.d.failing(), this.d.updating()));
    this.d.onChange();
  }

  async stop(): Promise<void> {
    this.device.setLed('idle');
    await this.device.stop();
  }

  private async onButton(b: 'SESSION' | 'MUTE'): Promise<void> {
    const s = this.d.sessions();
    if (!s) return;
    try {
      if (b === 'SESSION') {
        if (s.activeSession) await s.stopSession('button');
        else await s.startSession('button');
      } else {
        await s.setMuted(s.captureState() !== 'muted');
      }
    } catch (e) {
      this.d.logger.warn({ button: b, err: (e as Error).message }, 'serial.button_refused');
    }
    this.refresh();
  }
}
