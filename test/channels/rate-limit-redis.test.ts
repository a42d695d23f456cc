/**
 * Sign-in rate limits shared by console processes: @fastify/rate-limit on the connection the
 * runtime makes for it (rateLimitConnection), registered as the console registers it, on two
 * Fastify servers sharing one redis-server. Attempts made on either count together; with
 * Redis gone, `skipOnError` lets sign-in proceed instead of failing every attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { TestRedis } from '../support/redis.ts';
import { testLog } from '../support/rig.ts';
import { rateLimitConnection } from '../../src/runtime.ts';

const redis = new TestRedis();
const conns: Array<ReturnType<typeof rateLimitConnection>> = [];

async function server(): Promise<FastifyInstance> {
  const conn = rateLimitConnection({ url: redis.url }, testLog);
  conns.push(conn);
  const app = Fastify();
  await app.register(rateLimit, { global: false, redis: conn, nameSpace: 'tawasul:console-rl:', skipOnError: true });
  app.post('/console/login', { config: { rateLimit: { max: 5, timeWindow: '1 minute', keyGenerator: () => '127.0.0.1|a@x' } } }, async () => ({ ok: true }));
  await app.ready();
  return app;
}

let a: FastifyInstance;
let b: FastifyInstance;
beforeAll(async () => {
  await redis.start();
  a = await server();
  b = await server();
}, 30_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  for (const c of conns) c.disconnect();
  await redis.stop();
});

const login = (app: FastifyInstance) => app.inject({ method: 'POST', url: '/console/login' }).then((r) => r.statusCode);

describe('sign-in rate limit in Redis', () => {
  it('counts attempts on both servers together, and lets sign-in through while Redis is away', async () => {
    const codes = [await login(a), await login(b), await login(a), await login(b), await login(a)];
    expect(codes).toEqual([200, 200, 200, 200, 200]);
    expect(await login(b)).toBe(429);
    expect(await login(a)).toBe(429);

    await redis.server.stop();
    const started = Date.now();
    expect(await login(a)).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    await redis.start();
  }, 30_000);
});
