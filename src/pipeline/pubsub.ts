/**
 * Live updates across processes: what one process publishes on a channel reaches every
 * process subscribed to it (Redis pub/sub), so a browser's stream held by one HTTP process
 * sees a reply sent by another. Pub/sub is fire-and-forget: what was published while a
 * subscriber was cut off is gone, so every subscriber also hears about the gap (`onGap`) and
 * reads what it missed from the database.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connect, type RedisTarget } from './redis.ts';

export interface PubSub {
  /** Delivers `message` (JSON) to every current subscriber of `channel`, in any process. */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * Resolves once the subscription is active: anything published after that is delivered.
   * `onGap` runs after the connection was lost and came back (messages may have been missed).
   * The returned function ends this subscription.
   */
  subscribe(channel: string, onMessage: (message: unknown) => void, onGap?: () => void): Promise<() => void>;
  close(): Promise<void>;
}

interface Listener {
  onMessage: (message: unknown) => void;
  onGap?: () => void;
}

/** One process on its own (tests, one-machine setups without Redis at hand): a map of listeners. */
export class LocalPubSub implements PubSub {
  private readonly channels = new Map<string, Set<Listener>>();

  async publish(channel: string, message: unknown): Promise<void> {
    const copy = JSON.parse(JSON.stringify(message)) as unknown;
    for (const l of [...(this.channels.get(channel) ?? [])]) l.onMessage(copy);
  }

  async subscribe(channel: string, onMessage: (message: unknown) => void, onGap?: () => void): Promise<() => void> {
    const listener: Listener = { onMessage, ...(onGap ? { onGap } : {}) };
    const set = this.channels.get(channel) ?? new Set();
    set.add(listener);
    this.channels.set(channel, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.channels.get(channel) === set) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}

export interface RedisPubSubOptions {
  redis: RedisTarget;
  /** Channels are `<prefix>:<channel>`, so deployments sharing a Redis do not hear each other. */
  prefix: string;
  log: Logger;
}

/**
 * Redis pub/sub with two connections of its own, made on first use: one in subscriber mode
 * (which can do nothing else) and one to publish. One SUBSCRIBE per channel however many
 * streams of this process listen on it; UNSUBSCRIBE when the last one leaves. Commands on one
 * connection run in order, so an unsubscribe followed by a subscribe of the same channel ends
 * subscribed.
 */
export class RedisPubSub implements PubSub {
  private sub: Redis | undefined;
  private pub: Redis | undefined;
  private readonly channels = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private connectedOnce = false;
  private closed = false;

  constructor(private readonly opts: RedisPubSubOptions) {}

  private full(channel: string): string {
    return `${this.opts.prefix}:${channel}`;
  }

  private subscriber(): Redis {
    if (this.sub) return this.sub;
    const sub = connect(this.opts.redis, { connectionName: 'tawasul-pubsub-sub' });
    sub.on('error', (err) => this.opts.log.warn({ err: err.message }, 'pub/sub: subscriber connection error'));
    sub.on('message', (full: string, raw: string) => {
      const channel = full.slice(this.opts.prefix.length + 1);
      const set = this.channels.get(channel);
      if (!set?.size) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return this.opts.log.warn({ channel }, 'pub/sub: message is not JSON; dropped');
      }
      for (const l of [...set]) l.onMessage(message);
    });
    sub.on('ready', () => {
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        return;
      }
      // Back after a cut: ioredis sends the SUBSCRIBEs again right after this event; a PING
      // queued behind them answers once they are active, and then listeners catch up.
      setImmediate(() => {
        if (this.closed) return;
        sub.ping().then(
          () => {
            this.opts.log.info({ channels: this.channels.size }, 'pub/sub: reconnected; streams catch up from the database');
            for (const set of this.channels.values()) for (const l of [...set]) l.onGap?.();
          },
          () => undefined,
        );
      });
    });
    this.sub = sub;
    return sub;
  }

  private publisher(): Redis {
    // A publish that cannot reach Redis fails within a few seconds instead of waiting forever:
    // the sender's job is retried by the pipeline.
    if (this.pub) return this.pub;
    const pub = connect(this.opts.redis, { connectionName: 'tawasul-pubsub-pub', maxRetriesPerRequest: 2 });
    pub.on('error', (err) => this.opts.log.warn({ err: err.message }, 'pub/sub: publisher connection error'));
    this.pub = pub;
    return pub;
  }

  async publish(channel: string, message: unknown): Promise<void> {
    if (this.closed) throw new Error('pub/sub is closed');
    await this.publisher().publish(this.full(channel), JSON.stringify(message));
  }

  async subscribe(channel: string, onMessage: (message: unknown) => void, onGap?: () => void): Promise<() => void> {
    if (this.closed) throw new Error('pub/sub is closed');
    const sub = this.subscriber();
    const listener: Listener = { onMessage, ...(onGap ? { onGap } : {}) };
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
      this.pending.set(channel, sub.subscribe(this.full(channel)));
    }
    set.add(listener);
    try {
      // The first listener's SUBSCRIBE (or an UNSUBSCRIBE/SUBSCRIBE pair still in flight): once
      // answered, the channel is active for this listener too.
      await this.pending.get(channel);
    } catch (err) {
      this.remove(channel, set, listener);
      throw err;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.remove(channel, set, listener);
    };
  }

  private remove(channel: string, set: Set<Listener>, listener: Listener) {
    set.delete(listener);
    if (set.size > 0 || this.channels.get(channel) !== set) return;
    this.channels.delete(channel);
    if (this.closed || !this.sub) return;
    const gone = this.sub.unsubscribe(this.full(channel)).catch(() => undefined);
    this.pending.set(channel, gone);
    void gone.then(() => {
      if (this.pending.get(channel) === gone) this.pending.delete(channel);
    });
  }

  /** Channels this process listens on (for tests and metrics). */
  get listening(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    const quit = (r: Redis | undefined) => r?.quit().catch(() => r.disconnect());
    await Promise.all([quit(this.sub), quit(this.pub)]);
  }
}
