/**
 * Generic stored events (speech start/end, tier changes, OTA, ...). `append(kind, ...)`
 * writes one outbox row that the MQTT service publishes on `event/<kind>`.
 * Use it inside your own `db.transaction` when the event describes data you write.
 */
import { AppError } from '../util/errors.js';
import type { OutboxRepo, EnqueueOptions } from './outbox-repo.js';

const KIND = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

export class EventsRepo {
  constructor(private readonly outbox: OutboxRepo) {}

  append(kind: string, payload: object, opts: EnqueueOptions = {}): { eventId: string; seq: number } {
    if (!KIND.test(kind) || kind === 'partial') {
      throw new AppError('INTERNAL', `invalid event kind '${kind}' (lowercase topic words; 'partial' is never stored)`);
    }
    return this.outbox.enqueue(kind, payload, opts);
  }
}
