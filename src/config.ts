/**
 * Settings from the environment, checked once at startup. Every setting is listed with a
 * comment in .env.example.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const Env = z.object({
  DATA_DIR: z.string().default('./data'),
  DB_PATH: z.string().optional(),
  FLOWS_DIR: z.string().default('./flows'),
  MEDIA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LANG: z.enum(['ar', 'en']).default('ar'),
});

export interface Config {
  dataDir: string;
  dbPath: string;
  flowsDir: string;
  mediaDir: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  defaultLang: 'ar' | 'en';
}

/** Reads the configuration; a bad value stops startup with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  return {
    dataDir,
    dbPath: resolve(e.DB_PATH ?? `${dataDir}/tawasul.db`),
    flowsDir: resolve(e.FLOWS_DIR),
    mediaDir: resolve(e.MEDIA_DIR ?? `${dataDir}/media`),
    logLevel: e.LOG_LEVEL,
    defaultLang: e.DEFAULT_LANG,
  };
}
