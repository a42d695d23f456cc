import { loadConfig } from '../config.ts';
import { openApp } from '../app.ts';
import { runTerminalChat } from '../channels/terminal.ts';
import type { Lang } from '../engine/types.ts';
import { UnknownAssociationError } from '../conversation/service.ts';

export async function chatCommand(opts: { org: string; lang?: Lang; db?: string; user: string }): Promise<void> {
  const config = loadConfig(opts.db ? { ...process.env, DB_PATH: opts.db } : process.env);
  const app = openApp(config);
  try {
    app.service.flow(opts.org);
  } catch (err) {
    if (!(err instanceof UnknownAssociationError)) throw err;
    const known = [...app.service.associationIds()].join(', ');
    process.stderr.write(`${err.message}; known associations: ${known}\n`);
    app.close();
    process.exitCode = 2;
    return;
  }
  try {
    await runTerminalChat({
      service: app.service,
      associationId: opts.org,
      lang: opts.lang ?? config.defaultLang,
      user: opts.user,
      input: process.stdin,
      output: process.stdout,
      errors: process.stderr,
      interactive: Boolean(process.stdin.isTTY),
    });
  } finally {
    app.close();
  }
}
