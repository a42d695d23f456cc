/** `tawasul start | worker | gateway`: the long-running process roles. */
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { RedisNotInstalledError } from '../pipeline/redis.ts';
import { runUntilSignalled, startRuntime, UnknownChannelError, type Roles } from '../runtime.ts';

async function serve(roles: Roles): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  try {
    const runtime = await startRuntime(config, roles, log);
    await runUntilSignalled(runtime);
  } catch (err) {
    if (err instanceof RedisNotInstalledError || err instanceof UnknownChannelError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

export const startCommand = () => serve({ engine: true, http: true, channels: 'configured' });
export const workerCommand = () => serve({ engine: true, http: false, channels: [] });
export const gatewayCommand = (opts: { channel: string; http?: boolean }) => serve({ engine: false, http: Boolean(opts.http), channels: [opts.channel] });
