/**
 * `tawasul media copy --to s3|local`: moves a deployment's files between the local folder
 * (MEDIA_DIR) and an S3-compatible bucket (the S3_* settings), before switching MEDIA_STORE.
 * Every file a `media` row names is copied under the same key, so the rows stay as they are.
 * Safe to run again (files already in the target are skipped) and while the bot runs; run it
 * once more after switching MEDIA_STORE and restarting, for the files that came in meanwhile.
 */
import { Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { copyMedia, mediaKeyOf, mediaStoreSettings, MediaStoreError, openMediaStore, type CopyReport } from '../media/index.ts';
import { openStore } from '../store/index.ts';

type Kind = 'local' | 's3';

export interface MediaCopyReport extends CopyReport {
  /** Rows whose path is neither a key nor a file under MEDIA_DIR: not copied. */
  unreadable: string[];
}

/**
 * Copies every file the database's `media` rows name from one store to the other. The
 * stores come from the environment as every role reads it, with MEDIA_STORE set to `from` and
 * to `to`; rows that still hold absolute paths become keys first.
 */
export async function copyAllMedia(env: NodeJS.ProcessEnv, opts: { from: Kind; to: Kind }): Promise<MediaCopyReport> {
  if (opts.from === opts.to) throw new Error(`--from and --to are both ${opts.to}: nothing to copy`);
  const config = loadConfig(env);
  const from = openMediaStore(mediaStoreSettings({ ...env, MEDIA_STORE: opts.from }, config.mediaDir));
  const to = openMediaStore(mediaStoreSettings({ ...env, MEDIA_STORE: opts.to }, config.mediaDir));
  const store = openStore(config.databaseUrl ?? config.dbPath);
  try {
    await store.core.media.keysFromPaths(config.mediaDir);
    const unreadable: string[] = [];
    const files: Array<{ key: string; mime: string }> = [];
    for (const f of await store.core.media.files()) {
      try {
        files.push({ key: mediaKeyOf(f.path, config.mediaDir), mime: f.mime });
      } catch (err) {
        if (!(err instanceof MediaStoreError)) throw err;
        unreadable.push(f.path);
      }
    }
    return { ...(await copyMedia(from, to, files)), unreadable };
  } finally {
    await Promise.allSettled([from.close(), to.close(), store.close()]);
  }
}

const where = (kind: Kind) => (kind === 'local' ? 'the local folder (MEDIA_DIR)' : 'the S3 bucket (S3_BUCKET)');

export async function mediaCopyCommand(opts: { to: Kind; from?: Kind }): Promise<void> {
  const from = opts.from ?? (opts.to === 's3' ? 'local' : 's3');
  process.stdout.write(`copying media files from ${where(from)} to ${where(opts.to)}\n`);
  let report: MediaCopyReport;
  try {
    report = await copyAllMedia(process.env, { from, to: opts.to });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = err instanceof MediaStoreError || /^invalid configuration|nothing to copy/.test((err as Error).message) ? 2 : 1;
    return;
  }
  process.stdout.write(`  ${report.copied} copied, ${report.skipped} already there\n`);
  if (report.missing.length) process.stderr.write(`rows name ${report.missing.length} file(s) the source does not have:\n${report.missing.map((k) => `  ${k}\n`).join('')}`);
  if (report.unreadable.length) process.stderr.write(`${report.unreadable.length} row(s) name a file outside MEDIA_DIR, not copied:\n${report.unreadable.map((p) => `  ${p}\n`).join('')}`);
  if (report.missing.length || report.unreadable.length) process.exitCode = 1;
  else process.stdout.write('done\n');
}

export function mediaCommand(): Command {
  const media = new Command('media').description('the files beneficiaries sent (MEDIA_STORE)');
  media
    .command('copy')
    .description('copy every file the database names to the other media store, under the same keys (run before switching MEDIA_STORE; safe to run again)')
    .addOption(new Option('--to <store>', 'where to copy: s3 (the S3_* settings) or local (MEDIA_DIR)').choices(['s3', 'local']).makeOptionMandatory())
    .addOption(new Option('--from <store>', 'where the files are now (default: the other one)').choices(['s3', 'local']))
    .action(mediaCopyCommand);
  return media;
}
