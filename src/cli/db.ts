/** `tawasul db migrate | copy`: the store's schema and moving a deployment between stores. */
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { isPostgresUrl, openStore } from '../store/index.ts';
import { migratePostgresUrl } from '../store/postgres/index.ts';

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

export function dbCommand(): Command {
  const db = new Command('db').description('the database: schema migrations, moving a deployment to PostgreSQL');
  db.command('migrate')
    .description('bring the schema of the store DATABASE_URL (or DB_PATH) names up to date; every role also does this at start')
    .action(dbMigrateCommand);
  return db;
}
