/**
 * Redis for the queues: the one given by REDIS_URL, or an embedded `redis-server` this
 * process starts and supervises (persistence on, data under DATA_DIR, a unix socket so it
 * never clashes with another Redis on the machine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type RedisTarget = { url: string } | { path: string };

/** A new connection; BullMQ workers need `maxRetriesPerRequest: null` (they block). */
export function connect(target: RedisTarget, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  return 'url' in target ? new Redis(target.url, base) : new Redis({ ...base, path: target.path });
}

export class RedisNotInstalledError extends Error {
  readonly code = 'TAWASUL_ERR_NO_REDIS';
  constructor() {
    super(
      [
        'redis-server is not installed, and no REDIS_URL is set.',
        'Install it, then run the command again:',
        '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
        '  macOS:          brew install redis',
        'or point REDIS_URL at a Redis you already run (redis://host:6379).',
      ].join('\n'),
    );
  }
}

export function redisServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (path) return path;
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'].find((p) => existsSync(p));
}

export interface EmbeddedRedisOptions {
  dir: string;
  log: Logger;
  /** appendfsync policy; everysec loses at most a second of queue state on a power cut. */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** TCP port instead of the unix socket (tests and benchmarks use both). */
  port?: number;
  /** The redis-server binary; found on PATH when not given. */
  bin?: string;
}

/**
 * Runs `redis-server` as a child with AOF persistence and restarts it with backoff if it
 * dies. The queues' jobs live in its append-only file under `dir`, so a restart (of it or
 * of us) loses nothing that was acknowledged.
 */
export class EmbeddedRedis {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  readonly socket: string;

  constructor(private readonly opts: EmbeddedRedisOptions) {
    this.socket = join(opts.dir, 'redis.sock');
  }

  get target(): RedisTarget {
    return this.opts.port ? { url: `redis://127.0.0.1:${this.opts.port}` } : { path: this.socket };
  }

  get port(): number | undefined {
    return this.opts.port;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async start(): Promise<void> {
    const bin = this.opts.bin ?? redisServerPath();
    if (!bin || !existsSync(bin)) throw new RedisNotInstalledError();
    mkdirSync(this.opts.dir, { recursive: true });
    this.stopping = false;
    await this.launch(bin);
  }

  private async launch(bin: string) {
    rmSync(this.socket, { force: true });
    const args = [
      '--dir', this.opts.dir,
      '--appendonly', 'yes',
      '--appendfsync', this.opts.appendfsync ?? 'everysec',
      '--save', '',
      '--daemonize', 'no',
      '--protected-mode', 'yes',
      '--maxmemory-policy', 'noeviction',
      '--loglevel', 'warning',
      ...(this.opts.port ? ['--port', String(this.opts.port), '--bind', '127.0.0.1'] : ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700']),
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.opts.log.debug({ redis: d.toString().trim() }, 'redis-server'));
    child.stderr?.on('data', (d: Buffer) => this.opts.log.warn({ redis: d.toString().trim() }, 'redis-server'));
    child.on('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      this.restarts++;
      const wait = Math.min(30_000, 250 * 2 ** Math.min(this.restarts, 7));
      this.opts.log.error({ code, signal, restartInMs: wait }, 'embedded redis-server exited; restarting');
      setTimeout(() => void this.launch(bin).catch((err) => this.opts.log.error({ err }, 'redis-server restart failed')), wait).unref();
    });
    await this.waitReady();
    this.opts.log.info({ dir: this.opts.dir, ...(this.opts.port ? { port: this.opts.port } : { socket: this.socket }) }, 'embedded redis-server ready');
  }

  private async waitReady() {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`redis-server exited with code ${this.child.exitCode}`);
      const probe = connect(this.target, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        // Loading a large AOF answers LOADING until done.
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      await sleep(50);
    }
    throw new Error('redis-server did not become ready within 15 s');
  }

  /** Stops it cleanly (the AOF is flushed). */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // The SIGKILL fallback's timer is cleared once redis has exited: left running, it held the
    // process open ~10 s after "stopped" (Ctrl+C seemed to hang).
    const fallback = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      await exited;
    } finally {
      clearTimeout(fallback);
    }
  }

  /** Kills it without a chance to save: for fault tests. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }
}
