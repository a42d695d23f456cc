/**
 * `tawasul db copy`: moves a SQLite deployment into PostgreSQL. Every table, parents before
 * children (foreign keys hold at every commit), in batches of one transaction each, in the
 * source's rowid order (which becomes `seq` where PostgreSQL keeps acceptance order), then the
 * identity sequences are moved past the copied ids.
 *
 * A target that already holds rows is refused, unless `resume` is set: then every batch
 * inserts with ON CONFLICT DO NOTHING, so a copy that was interrupted continues where it
 * stopped and rows already there are left as they are (never updated). Stop every role before
 * copying: rows written to the source meanwhile may be missed.
 */
import Database from 'better-sqlite3';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../../db/postgres/schema.ts';
import { openDb } from '../db.ts';
import { createPool, migratePostgres } from './db.ts';

/** Parents before children. */
const ORDER: PgTable[] = [
  pgSchema.associations,
  pgSchema.users,
  pgSchema.userAssociations,
  pgSchema.beneficiaries,
  pgSchema.referenceCounters,
  pgSchema.contacts,
  pgSchema.conversations,
  pgSchema.media,
  pgSchema.messages,
  pgSchema.requests,
  pgSchema.events,
  pgSchema.surveyResponses,
  pgSchema.outbox,
  pgSchema.sessions,
  pgSchema.staffNotes,
  pgSchema.offlineContacts,
  // The session secret moves with the deployment, so staff stay signed in.
  pgSchema.settings,
];

/** Columns PostgreSQL fills from the source's rowid: the acceptance order. */
const FROM_ROWID = new Set(['seq']);

export interface CopyOptions {
  /** Continue into a target that already has rows (an interrupted copy): existing rows are kept, missing ones added. */
  resume?: boolean;
  /** Rows per transaction (default: as many as fit 60,000 parameters, at most 2,000). */
  batchRows?: number;
  onProgress?: (table: string, copied: number, total: number) => void;
}

export interface CopyReport {
  tables: Array<{ table: string; source: number; inserted: number; target: number }>;
}

export class CopyRefused extends Error {
  readonly code = 'COPY_TARGET_NOT_EMPTY';
}

/** Copies every table of the SQLite file at `sqlitePath` into the PostgreSQL database at `url` (migrating both first). */
export async function copySqliteToPostgres(sqlitePath: string, url: string, opts: CopyOptions = {}): Promise<CopyReport> {
  // Opening through openDb brings an older deployment's file up to the schema the copy expects.
  openDb(sqlitePath).$client.close();
  const src = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const pool = createPool(url, { max: 2 });
  try {
    await migratePostgres(pool);
    if (!opts.resume) {
      const nonEmpty: string[] = [];
      for (const table of ORDER) {
        const name = getTableConfig(table).name;
        const r = await pool.query(`SELECT EXISTS (SELECT 1 FROM "${name}") AS x`);
        if ((r.rows[0] as { x: boolean }).x) nonEmpty.push(name);
      }
      if (nonEmpty.length) throw new CopyRefused(`the target database already has rows (${nonEmpty.join(', ')}): copy into an empty database, or pass --resume to finish an interrupted copy`);
    }

    const report: CopyReport = { tables: [] };
    for (const table of ORDER) {
      const { name, columns } = getTableConfig(table);
      const cols = columns.map((c) => ({ name: c.name, type: c.columnType }));
      const total = (src.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
      const perBatch = Math.max(1, Math.min(opts.batchRows ?? 2000, Math.floor(60_000 / cols.length)));
      const read = src.prepare(`SELECT rowid AS "__rowid", * FROM "${name}" WHERE rowid > ? ORDER BY rowid LIMIT ?`);
      const conflict = opts.resume ? ' ON CONFLICT DO NOTHING' : '';
      let after = Number.MIN_SAFE_INTEGER;
      let copied = 0;
      let inserted = 0;
      for (;;) {
        const rows = read.all(after, perBatch) as Array<Record<string, unknown>>;
        if (!rows.length) break;
        const values: unknown[] = [];
        const tuples = rows.map((row) => {
          const slots = cols.map((c) => {
            values.push(convert(FROM_ROWID.has(c.name) ? row.__rowid : row[c.name], c.type));
            return `$${values.length}`;
          });
          return `(${slots.join(', ')})`;
        });
        const overriding = cols.some((c) => c.type === 'PgBigInt53') ? ' OVERRIDING SYSTEM VALUE' : '';
        const r = await pool.query(`INSERT INTO "${name}" (${cols.map((c) => `"${c.name}"`).join(', ')})${overriding} VALUES ${tuples.join(', ')}${conflict}`, values);
        inserted += r.rowCount ?? 0;
        copied += rows.length;
        after = rows[rows.length - 1]!.__rowid as number;
        opts.onProgress?.(name, copied, total);
      }
      // Identities continue after the copied ids.
      for (const c of columns.filter((c) => c.columnType === 'PgBigInt53')) {
        await pool.query(`SELECT setval(pg_get_serial_sequence('"${name}"', '${c.name}'), coalesce(max("${c.name}"), 0) + 1, false) FROM "${name}"`);
      }
      const target = Number((await pool.query(`SELECT count(*) AS n FROM "${name}"`)).rows[0].n);
      report.tables.push({ table: name, source: total, inserted, target });
    }
    return report;
  } finally {
    src.close();
    await pool.end();
  }
}

/** SQLite's storage classes to what the PostgreSQL column takes: 0/1 → boolean; JSON text goes as text into jsonb. */
function convert(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'PgBoolean') return value === 1 || value === true || value === '1' || value === 'true';
  if (type === 'PgJsonb') return typeof value === 'string' ? value : JSON.stringify(value);
  if (type === 'PgText') return typeof value === 'string' ? value : String(value);
  return value;
}
