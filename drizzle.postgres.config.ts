import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL store's migrations (`npm run db:generate:pg`); the SQLite ones are drizzle.config.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/schema.ts',
  out: './db/postgres/migrations',
});
