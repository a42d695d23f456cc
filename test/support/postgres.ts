/**
 * A private PostgreSQL cluster per test file: `initdb` + `pg_ctl` from Debian's
 * /usr/lib/postgresql/<version>/bin on a free port in a temp dir, so tests can stop it (fast,
 * or immediate = a crash), restart it and create a fresh database each. Needs only the
 * `postgresql` package installed; no server has to run. As root, initdb refuses to run, so
 * every server command runs as the `postgres` user through runuser.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './redis.ts';

const run = promisify(execFile);

/** The directory holding initdb and pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  try {
    return execFileSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('PostgreSQL is not installed: no initdb in /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)');
  }
}

const asRoot = userInfo().uid === 0;

/** Runs a server binary, as the postgres user when we are root (initdb and postgres refuse root). */
function serverCommand(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** Clusters still running when the process exits are stopped at once, so none outlives its test file. */
const running = new Set<TestPostgres>();
process.once('exit', () => {
  for (const c of running) c.stopNowSync();
});

let dbCounter = 0;

export interface StopOptions {
  /** fast: disconnect clients, checkpoint, exit. immediate: exit without a checkpoint (a crash; recovery at the next start). */
  mode?: 'fast' | 'immediate';
}

export class TestPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'tawasul-pg-'));
  readonly bin = postgresBinDir();
  port!: number;
  private initialised = false;

  /** `settings`: more server settings (`name=value`), e.g. the benchmark's pg_stat_statements. */
  constructor(private readonly settings: string[] = []) {}

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private async exec(tool: string, args: string[]): Promise<string> {
    const [cmd, argv] = serverCommand(join(this.bin, tool), args);
    try {
      const { stdout } = await run(cmd, argv, { encoding: 'utf8' });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr?.trim() || e.message}\n(server log: ${join(this.dir, 'log')})`);
    }
  }

  /** Creates the cluster on first call, then starts the server and waits until it accepts connections. */
  async start(): Promise<this> {
    if (!this.initialised) {
      if (asRoot) {
        chownSync(this.dir, ...postgresIds());
        chmodSync(this.dir, 0o700);
      }
      await this.exec('initdb', ['-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
      this.initialised = true;
    }
    this.port ??= await freePort();
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      // No fsync: a crash of the server (immediate stop) still loses no committed transaction,
      // since the WAL reached the kernel; only a machine crash could. Commits stay synchronous.
      '-c fsync=off',
      '-c max_connections=200',
      ...this.settings.map((kv) => `-c ${kv}`),
    ].join(' ');
    await this.exec('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
    running.add(this);
    return this;
  }

  /** A URL for one database of this cluster (default: the maintenance database `postgres`). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates an empty database and returns its URL: each test file (or test) gets its own. */
  async createDatabase(name = `t_${process.pid}_${++dbCounter}`): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Stops the server, keeping its data (default mode fast). */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (!running.has(this)) return;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', opts.mode ?? 'fast', '-w', '-t', '60', 'stop']);
    running.delete(this);
  }

  /** Stops (fast, or immediate = crash), waits `downMs`, and starts again on the same port and data. */
  async restart(opts: StopOptions & { downMs?: number } = {}): Promise<void> {
    await this.stop(opts);
    await new Promise((r) => setTimeout(r, opts.downMs ?? 200));
    await this.start();
  }

  get isRunning(): boolean {
    return running.has(this);
  }

  /** Stops the server at once and removes its folder. */
  async destroy(): Promise<void> {
    if (running.has(this)) await this.stop({ mode: 'immediate' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** @internal the exit hook: no event loop left, so synchronously. */
  stopNowSync(): void {
    const [cmd, argv] = serverCommand(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', 'stop']);
    try {
      execFileSync(cmd, argv, { stdio: 'ignore' });
    } catch {
      // already gone
    }
    running.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function postgresIds(): [number, number] {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return [uid, gid];
  } catch {
    throw new Error('running as root needs the `postgres` user (created by the postgresql package) to run initdb');
  }
}

/** Starts a cluster for this test file; call `destroy()` in afterAll. */
export async function startPostgres(): Promise<TestPostgres> {
  return new TestPostgres().start();
}
