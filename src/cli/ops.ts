/**
 * Operator commands that work on the database directly: the dead-letter list, and
 * decisions / service delivery before the staff console exists. Messages they cause go
 * out through the outbox, picked up by the running workers.
 */
import { loadConfig } from '../config.ts';
import { openApp } from '../app.ts';
import { serviceDelivered } from '../conversation/work.ts';

async function withApp<T>(fn: (app: ReturnType<typeof openApp>) => Promise<T>): Promise<T> {
  const app = openApp(loadConfig());
  try {
    await app.service.ready();
    return await fn(app);
  } finally {
    app.close();
  }
}

export function deadLettersCommand(opts: { org?: string; json?: boolean }): Promise<void> {
  return withApp(async (app) => {
    const rows = await app.service.deadLetters(opts.org);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    if (rows.length === 0) {
      process.stdout.write('no dead letters\n');
      return;
    }
    for (const r of rows) {
      process.stdout.write(`${r.createdAt}  ${r.associationId}  ${r.channel}  ${r.status}  attempts=${r.attempts}  ${r.id}\n    ${r.error ?? ''}\n`);
    }
  });
}

export function retryDeadLetterCommand(id: string): Promise<void> {
  return withApp(async (app) => {
    if (!(await app.service.requeue(id))) {
      process.stderr.write(`no dead letter with id ${id}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`queued again: ${id} (the running workers send it within a few seconds)\n`);
  });
}

export async function decideCommand(reference: string, outcome: string, opts: { reason?: string; by: string }): Promise<void> {
  if (outcome !== 'accepted' && outcome !== 'rejected') {
    process.stderr.write('outcome must be "accepted" or "rejected"\n');
    process.exitCode = 2;
    return;
  }
  if (outcome === 'rejected' && !opts.reason?.trim()) {
    process.stderr.write('a rejection needs --reason (the beneficiary is told why)\n');
    process.exitCode = 2;
    return;
  }
  await withApp(async (app) => {
    const req = await app.service.requestByReference(reference);
    if (!req) {
      process.stderr.write(`no request ${reference}\n`);
      process.exitCode = 1;
      return;
    }
    await app.service.enqueueJob(req.associationId, { kind: 'decision', reference, outcome, ...(opts.reason ? { reason: opts.reason } : {}), actor: `cli:${opts.by}` });
    process.stdout.write(`decision recorded for ${reference}: ${outcome}; the message goes out through the queue\n`);
  });
}

export function deliveredCommand(reference: string, opts: { by: string }): Promise<void> {
  return withApp(async (app) => {
    if (!(await app.service.requestByReference(reference))) {
      process.stderr.write(`no request ${reference}\n`);
      process.exitCode = 1;
      return;
    }
    await serviceDelivered(app.service, reference, `cli:${opts.by}`, new Date());
    process.stdout.write(`service delivery recorded for ${reference}; the satisfaction survey is scheduled\n`);
  });
}
