/** `tawasul db migrate | copy`: the store's schema and moving a deployment between stores. */
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { isPostgresUrl, openStore } from '../store/index.ts';
import { migratePostgresUrl } from '../store/postgres/index.ts';
import { copySqliteToPostgres, CopyRefused } from '../store/postgres/copy.ts';

/** The store DATABASE_URL names, else the SQLite file at DB_PATH (as every role opens it). */
function configuredTarget(): string {
  const config = loadConfig();
  return config.databaseUrl ?? config.dbPath;
}

/** Where a URL points, without its password. */
export function describeTarget(target: string): string {
  if (!isPostgresUrl(target)) return `SQLite ${target.replace(/^sqlite:/, '')}`;
  const u = new URL(target);
  return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

export async function dbMigrateCommand(): Promise<void> {
  const target = configuredTarget();
  if (isPostgresUrl(target)) {
    const applied = await migratePostgresUrl(target);
    process.stdout.write(`${describeTarget(target)}: ${applied ? `applied ${applied} migration${applied === 1 ? '' : 's'}` : 'already up to date'}\n`);
    return;
  }
  // SQLite migrates when it opens.
  const store = openStore(target);
  await store.close();
  process.stdout.write(`${describeTarget(target)}: up to date\n`);
}

export async function dbCopyCommand(opts: { from: string; to: string; resume?: boolean }): Promise<void> {
  if (isPostgresUrl(opts.from) || !isPostgresUrl(opts.to)) {
    process.stderr.write('db copy moves a SQLite deployment into PostgreSQL: --from sqlite:/path/to/tawasul.db --to postgres://…\n');
    process.exitCode = 2;
    return;
  }
  const from = opts.from.replace(/^sqlite:/, '');
  process.stdout.write(`copying ${describeTarget(from)} → ${describeTarget(opts.to)}${opts.resume ? ' (resuming)' : ''}\n`);
  try {
    let last = '';
    const report = await copySqliteToPostgres(from, opts.to, {
      resume: opts.resume ?? false,
      onProgress: (table, copied, total) => {
        if (process.stdout.isTTY) process.stdout.write(`\r  ${table}: ${copied}/${total}`);
        last = table;
      },
    });
    if (process.stdout.isTTY && last) process.stdout.write('\n');
    for (const t of report.tables) {
      process.stdout.write(`  ${t.table.padEnd(18)} ${String(t.source).padStart(9)} rows, ${t.inserted} inserted${t.target !== t.source ? ` (target has ${t.target})` : ''}\n`);
    }
    const short = report.tables.filter((t) => t.target < t.source);
    if (short.length) {
      process.stderr.write(`fewer rows in the target than in the source: ${short.map((t) => t.table).join(', ')}\n`);
      process.exitCode = 1;
    } else process.stdout.write('done\n');
  } catch (err) {
    if (!(err instanceof CopyRefused)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  }
}

export function dbCommand(): Command {
  const db = new Command('db').description('the database: schema migrations, moving a deployment to PostgreSQL');
  db.command('migrate')
    .description('bring the schema of the store DATABASE_URL (or DB_PATH) names up to date; every role also does this at start')
    .action(dbMigrateCommand);
  db.command('copy')
    .description('copy a SQLite deployment into an empty PostgreSQL database (stop every role first)')
    .requiredOption('--from <sqlite:path>', 'the SQLite file, e.g. sqlite:./data/tawasul.db')
    .requiredOption('--to <postgres-url>', 'the PostgreSQL database, e.g. postgres://user:pass@host/tawasul')
    .option('--resume', 'finish an interrupted copy: keep the rows already there, add the missing ones')
    .action(dbCopyCommand);
  return db;
}
