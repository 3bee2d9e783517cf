/**
 * Test-side MQTT consumer (a stand-in for Home Assistant / a fleet backend).
 *   const c = await EventConsumer.connect(broker.url, 'parley/dev1', { clientId, clean: false });
 *   c.events          Map event_id → parsed event (duplicates counted in c.duplicates)
 *   c.arrivals        seq of every event message in arrival order
 *   c.messages(topic) every payload received on a topic (retained flag included)
 *   await c.waitFor(() => cond, timeoutMs, what)
 *   await c.request('status', { id: 'x' })  → the cmd/<name>/response with that id
 *   c.missingSeqs(lastSeq) seqs in 1..lastSeq never received
 *   await c.close()
 * Reconnects every 200 ms (reconnectPeriodMs); with clean:false and a fixed clientId the broker keeps its
 * session (and queued QoS 1 messages) across a graceful broker restart.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export class EventConsumer {
  readonly events = new Map<string, Record<string, unknown> & { seq: number; event_id: string }>();
  readonly arrivals: number[] = [];
  readonly received: Received[] = [];
  duplicates = 0;

  private constructor(readonly client: MqttClient, readonly root: string) {}

  static async connect(url: string, root: string, opts: { clientId?: string; clean?: boolean; extraSubs?: string[]; reconnectPeriodMs?: number } = {}): Promise<EventConsumer> {
    const client = mqtt.connect(url, {
      clientId: opts.clientId ?? `consumer-${Math.random().toString(16).slice(2)}`,
      clean: opts.clean ?? true, reconnectPeriod: opts.reconnectPeriodMs ?? 200, connectTimeout: 2000, protocolVersion: 4,
    });
    const c = new EventConsumer(client, root);
    client.on('error', () => {});
    client.on('message', (topic, payload, packet) => c.onMessage(topic, payload.toString('utf8'), packet.retain));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('consumer could not connect')), 5000);
      client.once('connect', () => { clearTimeout(t); resolve(); });
    });
    await client.subscribeAsync([`${root}/#`, ...(opts.extraSubs ?? [])], { qos: 1 });
    return c;
  }

  private onMessage(topic: string, payload: string, retain: boolean): void {
    this.received.push({ topic, payload, retain });
    if (!topic.startsWith(`${this.root}/event/`) || topic.endsWith('/partial')) return;
    const ev = JSON.parse(payload) as Record<string, unknown> & { seq: number; event_id: string };
    this.arrivals.push(ev.seq);
    if (this.events.has(ev.event_id)) this.duplicates++;
    else this.events.set(ev.event_id, ev);
  }

  messages(topic: string): Received[] {
    return this.received.filter((m) => m.topic === topic);
  }

  seqs(): number[] {
    return [...this.events.values()].map((e) => e.seq).sort((a, b) => a - b);
  }

  /** First-arrival order of distinct events (must be increasing seq within one connection). */
  firstArrivalOrder(): number[] {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const s of this.arrivals) if (!seen.has(s)) { seen.add(s); out.push(s); }
    return out;
  }

  missingSeqs(lastSeq: number): number[] {
    const have = new Set(this.seqs());
    const out: number[] = [];
    for (let s = 1; s <= lastSeq; s++) if (!have.has(s)) out.push(s);
    return out;
  }

  async waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async request(name: string, body: Record<string, unknown> | string | Buffer, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const id = typeof body === 'object' && !Buffer.isBuffer(body) ? body.id : undefined;
    const topic = `${this.root}/cmd/${name}/response`;
    const before = this.messages(topic).length;
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    await this.client.publishAsync(`${this.root}/cmd/${name}`, payload, { qos: 1 });
    let found: Record<string, unknown> | undefined;
    await this.waitFor(() => {
      const msgs = this.messages(topic).slice(before).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
      found = msgs.find((m) => id === undefined || m.id === id);
      return found !== undefined;
    }, timeoutMs, `response on ${topic}`);
    return found!;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
