/**
 * A real redis-server per test file, on a free port in a temporary directory with AOF on,
 * so tests can stop, kill and restart it. Uses the product's own EmbeddedRedis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { EmbeddedRedis } from '../../src/pipeline/redis.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'tawasul-redis-'));
  server!: EmbeddedRedis;
  port!: number;

  async start(): Promise<this> {
    this.port ??= await freePort();
    this.server = new EmbeddedRedis({ dir: this.dir, port: this.port, log: pino({ level: 'silent' }) });
    await this.server.start();
    return this;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Clean stop (AOF flushed) and start again on the same port and data. */
  async restart(downMs = 500): Promise<void> {
    await this.server.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
