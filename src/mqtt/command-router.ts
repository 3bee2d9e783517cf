/**
 * Request/response commands (zigbee2mqtt style): a request on `cmd/<name>` carries a
 * JSON object with an optional `id`; the reply on `cmd/<name>/response` is
 * `{id, ok: true, result}` or `{id, ok: false, error: {code, message}}`.
 * Every malformed, unknown or oversized request gets an error response; a handler
 * that throws becomes an error response. Nothing here may throw.
 */
import { AppError } from '../util/errors.js';
import type { CommandResponse } from './payloads.js';

export type CommandHandler = (payload: Record<string, unknown>) => Promise<unknown>;
export type CommandHandlers = Record<string, CommandHandler>;

export class CommandRouter {
  constructor(private readonly handlers: CommandHandlers, private readonly maxBytes: number) {}

  names(): string[] {
    return Object.keys(this.handlers).sort();
  }

  /** Handle one request; always resolves to a response. */
  async handle(name: string, raw: Buffer): Promise<CommandResponse> {
    if (raw.length > this.maxBytes) {
      return fail(null, 'PAYLOAD_TOO_LARGE', `payload is ${raw.length} bytes; the limit is ${this.maxBytes}`);
    }
    let payload: Record<string, unknown>;
    const text = raw.toString('utf8').trim();
    if (text === '') {
      payload = {};
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        return fail(null, 'BAD_JSON', `payload is not valid JSON: ${(e as Error).message}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return fail(null, 'BAD_REQUEST', 'payload must be a JSON object');
      }
      payload = parsed as Record<string, unknown>;
    }
    const rawId = payload.id;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    if (rawId !== undefined && id === null) return fail(null, 'BAD_REQUEST', 'id must be a string or a number');
    const handler = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
    if (!handler) {
      return fail(id, 'UNKNOWN_COMMAND', `unknown command '${name.slice(0, 100)}'; known: ${this.names().join(', ')}`);
    }
    try {
      const result = await handler(payload);
      return { id, ok: true, result: result ?? null };
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'COMMAND_FAILED';
      return fail(id, code, e instanceof Error ? e.message : String(e));
    }
  }
}

function fail(id: string | number | null, code: string, message: string): CommandResponse {
  return { id, ok: false, error: { code, message } };
}
