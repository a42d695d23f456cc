/**
 * Leases in Redis: "only one process at a time runs this". A lease is a key set with NX and a
 * time to live (PX), renewed by its holder well before it lapses and deleted on release, each
 * step by a script that first checks the key still names this holder. A holder that dies lets
 * it lapse within the time to live; a holder that cannot renew it in time (Redis unreachable)
 * is told it is lost and must stop, since another process may take it once it lapses.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connect, type RedisTarget } from './redis.ts';

/** Who holds a lease, as the key says. */
export interface Holder {
  host: string;
  pid: number;
  since: string;
  /** Unique per holder: two processes with the same host and pid (containers) still differ. */
  token: string;
}

export const describeHolder = (h: Holder) => `${h.host} (pid ${h.pid}, since ${h.since})`;

export interface Lease {
  readonly holder: Holder;
  /** Gives it up (only if still ours) and stops renewing. */
  release(): Promise<void>;
}

export type Acquired = { ok: true; lease: Lease } | { ok: false; heldBy: Holder | undefined };

export interface Leases {
  /** Takes the lease `name` if nobody holds it; `onLost` runs if it is later lost (see above). */
  acquire(name: string, onLost: (why: string, heldBy?: Holder) => void): Promise<Acquired>;
  close(): Promise<void>;
}

/**
 * Set if free (also when it lapsed while Redis was away and nobody took it); extended if ours.
 * Returns the value now held: ours, or the other holder's.
 */
const TAKE = `
local v = redis.call('GET', KEYS[1])
if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return ARGV[1] end
if cjson.decode(v).token == ARGV[3] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;
const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v ~= false and cjson.decode(v).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLeasesOptions {
  redis: RedisTarget;
  /** Keys are `<prefix>:lease:<name>`. */
  prefix: string;
  log: Logger;
  /** Time to live (default 30 s); renewed every third of it. */
  ttlMs?: number;
}

export class RedisLeases implements Leases {
  private conn: Redis | undefined;
  private readonly held = new Set<{ stop(): void }>();
  private readonly ttl: number;

  constructor(private readonly opts: RedisLeasesOptions) {
    this.ttl = opts.ttlMs ?? 30_000;
  }

  private redis(): Redis {
    if (this.conn) return this.conn;
    // Fails fast when Redis is away: a renewal that cannot be made is counted, not queued.
    const conn = connect(this.opts.redis, { connectionName: 'tawasul-leases', maxRetriesPerRequest: 1, commandTimeout: Math.max(1000, Math.floor(this.ttl / 6)) });
    conn.on('error', (err) => this.opts.log.warn({ err: err.message }, 'leases: redis connection error'));
    this.conn = conn;
    return conn;
  }

  async acquire(name: string, onLost: (why: string, heldBy?: Holder) => void): Promise<Acquired> {
    const key = `${this.opts.prefix}:lease:${name}`;
    const holder: Holder = { host: hostname(), pid: process.pid, since: new Date().toISOString(), token: randomUUID() };
    const value = JSON.stringify(holder);
    const now = JSON.parse((await this.redis().eval(TAKE, 1, key, value, String(this.ttl), holder.token)) as string) as Holder;
    if (now.token !== holder.token) return { ok: false, heldBy: now };

    let renewedAt = Date.now();
    let stopped = false;
    const lost = (why: string, heldBy?: Holder) => {
      if (stopped) return;
      entry.stop();
      this.opts.log.error({ lease: name, why, ...(heldBy ? { heldBy: describeHolder(heldBy) } : {}) }, 'lease lost');
      onLost(why, heldBy);
    };
    const timer = setInterval(() => {
      this.redis()
        .eval(TAKE, 1, key, value, String(this.ttl), holder.token)
        .then((v) => {
          if (stopped) return;
          const h = JSON.parse(v as string) as Holder;
          if (h.token !== holder.token) return lost('another process holds it', h);
          renewedAt = Date.now();
        })
        .catch((err: Error) => {
          // Not renewed for a whole time to live: it may have lapsed and been taken.
          if (Date.now() - renewedAt >= this.ttl) lost(`not renewed for ${this.ttl} ms: ${err.message}`);
        });
    }, Math.max(50, Math.floor(this.ttl / 3)));
    timer.unref?.();
    const entry = {
      stop: () => {
        stopped = true;
        clearInterval(timer);
        this.held.delete(entry);
      },
    };
    this.held.add(entry);
    return {
      ok: true,
      lease: {
        holder,
        release: async () => {
          if (stopped) return;
          entry.stop();
          await this.redis()
            .eval(RELEASE, 1, key, holder.token)
            .catch((err: Error) => this.opts.log.warn({ lease: name, err: err.message }, 'lease not released (it lapses by itself)'));
        },
      },
    };
  }

  async close(): Promise<void> {
    for (const h of [...this.held]) h.stop();
    const c = this.conn;
    this.conn = undefined;
    await c?.quit().catch(() => c.disconnect());
  }
}
