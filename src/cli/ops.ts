/**
 * Operator commands that work on the database directly: the dead-letter list, and
 * decisions / service delivery before the staff console exists. Messages they cause go
 * out through the outbox, picked up by the running workers.
 */
import { loadConfig } from '../config.ts';
import { openApp } from '../app.ts';
import { serviceDelivered } from '../conversation/work.ts';

function withApp<T>(fn: (app: ReturnType<typeof openApp>) => T): T {
  const app = openApp(loadConfig());
  try {
    return fn(app);
  } finally {
    app.close();
  }
}

export function deadLettersCommand(opts: { org?: string; json?: boolean }): void {
  withApp((app) => {
    const rows = app.service.deadLetters(opts.org);
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

export function retryDeadLetterCommand(id: string): void {
  withApp((app) => {
    if (!app.service.requeue(id)) {
      process.stderr.write(`no dead letter with id ${id}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`queued again: ${id} (the running workers send it within a few seconds)\n`);
  });
}

export function decideCommand(reference: string, outcome: string, opts: { reason?: string; by: string }): void {
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
  withApp((app) => {
    const req = app.service.requestByReference(reference);
    if (!req) {
      process.stderr.write(`no request ${reference}\n`);
      process.exitCode = 1;
      return;
    }
    app.service.enqueueJob(req.associationId, { kind: 'decision', reference, outcome, ...(opts.reason ? { reason: opts.reason } : {}), actor: `cli:${opts.by}` });
    process.stdout.write(`decision recorded for ${reference}: ${outcome}; the message goes out through the queue\n`);
  });
}

export function deliveredCommand(reference: string, opts: { by: string }): void {
  withApp((app) => {
    if (!app.service.requestByReference(reference)) {
      process.stderr.write(`no request ${reference}\n`);
      process.exitCode = 1;
      return;
    }
    serviceDelivered(app.service, reference, `cli:${opts.by}`, new Date());
    process.stdout.write(`service delivery recorded for ${reference}; the satisfaction survey is scheduled\n`);
  });
}
