import { randomUUID } from 'node:crypto';
import type { Invalidation } from '../store';
import type { ConnectionErrors } from './connection-errors';
import { closeConnection, type RedisClientLike, type RedisSubscriberLike } from './redis-client';

/** What another process's message may hold; anything else on the channel is ignored. */
function parseMessage(text: string): { origin: string; what: Invalidation } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  const { o: origin, w: what } = message as { o?: unknown; w?: Partial<Record<string, unknown>> };
  if (typeof origin !== 'string' || typeof what !== 'object' || what === null) return undefined;
  const isText = (v: unknown): v is string => typeof v === 'string';
  switch (what.kind) {
    case 'all':
      return { origin, what: { kind: 'all' } };
    case 'key':
      return isText(what.key) ? { origin, what: { kind: 'key', key: what.key } } : undefined;
    case 'operation':
      return isText(what.name)
        ? { origin, what: { kind: 'operation', name: what.name } }
        : undefined;
    case 'tenant':
      return isText(what.id) ? { origin, what: { kind: 'tenant', id: what.id } } : undefined;
    case 'tags':
      return Array.isArray(what.tags) && what.tags.every(isText)
        ? { origin, what: { kind: 'tags', tags: what.tags } }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Invalidation messages between the processes of one namespace, over Redis pub/sub. Each process
 * publishes what it invalidated and drops what the others publish from its in-process tier. Pub/sub
 * delivers only to connected subscribers, so a subscriber that reconnects (it missed whatever was
 * published meanwhile) reports `onResync`, and the process clears its in-process tier.
 */
export class InvalidationBus {
  /** This process's id in messages, so it skips its own. */
  private readonly origin = randomUUID();
  private subscriber: RedisSubscriberLike | undefined;
  private connectedBefore = false;
  /** Other channels on the same subscriber: their messages, parsed, minus this process's own. */
  private readonly others = new Map<string, (message: Record<string, unknown>) => void>();

  constructor(
    private readonly client: RedisClientLike,
    private readonly channel: string,
    private readonly onMessage: (what: Invalidation) => void,
    private readonly onResync: () => void,
    private readonly connections: ConnectionErrors,
  ) {}

  /** Opens the subscriber connection, and subscribes each time it is ready. */
  start(): void {
    // ioredis resubscribes a reconnected single-node client by itself, and leaves that command's
    // rejection unhandled when the connection drops before the answer (an unhandled rejection ends
    // the process): this bus subscribes on 'ready' instead, with the failure handled. A Cluster
    // client's subscriber resubscribes on its own, and handles its failures.
    const subscriber = (this.subscriber = this.client.nodes
      ? this.client.duplicate()
      : this.client.duplicate({ autoResubscribe: false }));
    subscriber.on('message', (channel, text) => {
      if (typeof text !== 'string' || typeof channel !== 'string') return;
      if (channel !== this.channel) return this.other(channel, text);
      const message = parseMessage(text);
      if (message && message.origin !== this.origin) this.onMessage(message.what);
    });
    subscriber.on('ready', () => {
      // Subscribing on each 'ready' rather than once: a client given without an offline queue
      // refuses a command sent before it is connected (ioredis' own resubscription needs one).
      subscriber.subscribe(this.channel, ...this.others.keys()).catch(() => {});
      if (this.connectedBefore) this.onResync();
      this.connectedBefore = true;
    });
    // An unreachable server is the tier's breaker's business: its errors are only kept, as the
    // cause behind the commands that fail meanwhile.
    this.connections.watch(subscriber);
    if (subscriber.status === 'wait') subscriber.connect().catch(() => {});
  }

  publish(what: Invalidation): Promise<number> {
    return this.client.publish(this.channel, JSON.stringify({ o: this.origin, w: what }));
  }

  /**
   * Hears the JSON objects other processes `send` on `channel` (on the same subscriber
   * connection: no connection more per channel).
   */
  listen(channel: string, onMessage: (message: Record<string, unknown>) => void): void {
    this.others.set(channel, onMessage);
    if (this.subscriber?.status === 'ready') this.subscriber.subscribe(channel).catch(() => {});
  }

  /** Publishes `message` (a JSON object) on `channel`, marked as this process's. */
  send(channel: string, message: Record<string, unknown>): Promise<number> {
    return this.client.publish(channel, JSON.stringify({ ...message, o: this.origin }));
  }

  private other(channel: string, text: string): void {
    const onMessage = this.others.get(channel);
    if (!onMessage) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ((message as { o?: unknown }).o !== this.origin)
      onMessage(message as Record<string, unknown>);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeConnection(subscriber);
  }
}
