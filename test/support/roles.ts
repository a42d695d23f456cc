/**
 * Process roles (`tawasul worker`, `tawasul gateway …`) as real child processes for the fault
 * and multi-machine tests, with the quick recovery timings those tests use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './scenario.ts';

/** Short locks, sweeps and backoff, so recovery after a fault fits in a test. */
export const QUICK_RECOVERY = {
  QUEUE_LOCK_MS: '2000',
  SWEEP_MS: '300',
  SWEEP_GRACE_MS: '1000',
  SEND_BACKOFF_MS: '100',
  LOG_LEVEL: 'info',
} as const;

/**
 * Starts `bin/tawasul.js <args>` with `env` (variables set to undefined are left out, so the
 * product's defaults apply) and resolves once it logs that it started; rejects with its output
 * if it exits or takes more than 30 s. The child is pushed onto `children` for cleanup.
 */
export async function startRole(args: string[], env: Record<string, string | undefined>, children: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/tawasul.js'), ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('tawasul started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`)));
  });
  child.removeAllListeners('exit');
  return child;
}
