/**
 * Topic layout: `<base_topic>/<device_id>/<suffix>` (HOUSE_STYLE.md "Naming").
 *   availability            online | offline (retained; offline is the last will)
 *   status                  retained JSON (StatusPayload)
 *   event/<kind>            stored events from the outbox (QoS 1), event/partial (QoS 0)
 *   cmd/<name>              command requests; replies on cmd/<name>/response
 */
export class Topics {
  readonly root: string;

  constructor(baseTopic: string, readonly deviceId: string) {
    this.root = `${baseTopic.replace(/\/+$/, '')}/${deviceId}`;
  }

  get availability(): string {
    return `${this.root}/availability`;
  }

  get status(): string {
    return `${this.root}/status`;
  }

  event(kind: string): string {
    return `${this.root}/event/${kind}`;
  }

  /** Subscription for every command (responses are filtered out by `commandName`). */
  get commandFilter(): string {
    return `${this.root}/cmd/#`;
  }

  command(name: string): string {
    return `${this.root}/cmd/${name}`;
  }

  response(name: string): string {
    return `${this.root}/cmd/${name}/response`;
  }

  /** The command name of a request topic, or undefined for responses and other topics. */
  commandName(topic: string): string | undefined {
    const prefix = `${this.root}/cmd/`;
    if (!topic.startsWith(prefix)) return undefined;
    const name = topic.slice(prefix.length);
    if (name === '' || name === 'response' || name.endsWith('/response')) return undefined;
    return name;
  }
}

/** A device id safe as a topic level and HA object id. */
export function sanitizeDeviceId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_') || 'parley';
}

/** The device id from config (`device.id`), or the hostname when it is empty. */
export function resolveDeviceId(configured: string, hostname: () => string): string {
  return configured !== '' ? configured : sanitizeDeviceId(hostname());
}
