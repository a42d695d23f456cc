/**
 * The staff console's foundation: login with argon2-hashed passwords, server-side sessions
 * in SQLite behind an HttpOnly cookie, CSRF tokens on every form, login rate limiting,
 * security headers, logout. Arabic RTL by default, English with ?lang=en.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import formbody from '@fastify/formbody';
import type { Store } from '../store/index.ts';
import type { SessionsRepo } from '../store/console.ts';
import { AccountError, Accounts, type User } from './accounts.ts';
import { problemPage, type BackTo } from './views.ts';
import { accountPage, layout, loginPage, homePage, inboxPage, inboxScreen, conversationPage, conversationLog, dashboardPage, requestsPage, requestPage, beneficiariesPage, recordPage, exportPage, whatsappPage, DASHBOARD_JS, CONSOLE_JS, type Lang } from './views.ts';
import { CAN, PAGE_SIZE, REQUEST_STATUSES, Requests } from './requests.ts';
import { dashboardData } from './dashboard.ts';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { MediaNotFoundError, mediaKeyOf } from '../media/index.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConflictError, Inbox, TAKE_OVER } from './inbox.ts';
import { audit } from './audit.ts';
import { DATA_RIGHTS, Records } from './records.ts';
import { openStream, type Stream } from '../server/sse.ts';
import type { ResumePoint } from '../engine/types.ts';
import QRCode from 'qrcode';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { ConversationService } from '../conversation/service.ts';
import { associationTimeZone, dayStart, formatter, nextDay, type FormatFor } from './format.ts';

declare module 'fastify' {
  interface Session {
    userId?: string;
    lang?: Lang;
    /** The association last shown on the dashboard. */
    dashboardAssociation?: string;
    /** Request-list searches by name or reference, by a random id the list's URL carries instead of the term. */
    requestSearches?: Record<string, string>;
  }
  interface FastifyRequest {
    user?: User;
  }
}

export interface ConsoleOptions {
  /** The database behind the console (its `console` repositories). */
  store: Pick<Store, 'console'>;
  /** At least 32 characters; signs the session cookie. */
  sessionSecret: string;
  /** Send cookies only over https (on in production; off for http://127.0.0.1). */
  secureCookies: boolean;
  sessionHours?: number;
  /** Channels whose outbound queues bull-board lists. */
  channels?: string[];
  /** For the inbox: state changes go through the service, replies out through the queue. */
  service?: ConversationService;
  pipeline?: Pipeline;
  /** The WhatsApp web session of an association (state and pending pairing QR), when that channel runs here. */
  whatsappSession?: (associationId: string) => { state: string; qr?: string } | undefined;
  /** How often live views look for changes (ms); 1 s by default. */
  livePollMs?: number;
  /** Sign-in attempts counted in Redis, shared by every console process; in memory when absent. */
  rateLimitRedis?: import('ioredis').Redis;
}

/** @fastify/session's store over the console's sessions repository, so sessions survive restarts and can be revoked. */
class SessionStore {
  constructor(private readonly sessions: SessionsRepo) {}
  set(id: string, data: unknown, cb: (err?: unknown) => void) {
    const expires = (data as { cookie?: { expires?: Date | string } }).cookie?.expires;
    const at = expires ? new Date(expires).toISOString() : new Date(Date.now() + 8 * 3_600_000).toISOString();
    this.sessions.set(id, data, at).then(() => cb(), cb);
  }
  get(id: string, cb: (err: unknown, data?: any) => void) {
    this.sessions.get(id, new Date().toISOString()).then((data) => cb(null, data ?? null), (err) => cb(err));
  }
  destroy(id: string, cb: (err?: unknown) => void) {
    this.sessions.destroy(id).then(() => cb(), cb);
  }
}

const langOf = (req: FastifyRequest): Lang => {
  const q = (req.query as { lang?: string } | undefined)?.lang;
  if (q === 'en' || q === 'ar') {
    req.session.lang = q;
    return q;
  }
  return req.session.lang ?? 'ar';
};

/** Every route the console serves, per server: the security tests walk all of them. */
const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();
export const consoleRoutes = (root: FastifyInstance) => ROUTES.get(root) ?? [];

export function mountConsole(root: FastifyInstance, opts: ConsoleOptions): void {
  const store = opts.store.console;
  const accounts = new Accounts(store);
  /** Formatters for one viewer's language, each association in its own time zone. */
  const fmtFor = (lang: Lang): FormatFor => (associationId) => {
    let flow;
    try {
      flow = associationId ? opts.service?.flow(associationId) : undefined;
    } catch {
      flow = undefined;
    }
    return formatter(lang, associationTimeZone(flow));
  };
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(root, routes);
  void root.register(async (app) => {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    });
    await app.register(helmet, {
      contentSecurityPolicy: { directives: { 'default-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"] } },
    });
    await app.register(formbody);
    await app.register(cookie);
    await app.register(session, {
      secret: opts.sessionSecret,
      cookieName: 'tawasul_session',
      store: new SessionStore(store.sessions),
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, path: '/', maxAge: (opts.sessionHours ?? 8) * 3_600_000 },
    });
    await app.register(csrf, { sessionPlugin: '@fastify/session' });
    // skipOnError: with Redis away, sign-in still works (unlimited for the outage) rather than failing for everyone.
    await app.register(rateLimit, { global: false, ...(opts.rateLimitRedis ? { redis: opts.rateLimitRedis, nameSpace: 'tawasul:console-rl:', skipOnError: true } : {}) });

    /** An error page in the viewer's language with a link back (never a bare English line). */
    const problem = (req: FastifyRequest, reply: FastifyReply, status: number, reason: string, params: Record<string, string> = {}) => {
      const lang = langOf(req);
      return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(lang, problemPage(lang, status, reason, backFor(req.method, req.url, status), params), req.user));
    };
    // The sixth sign-in attempt in a minute: the sign-in page again, saying how long to wait.
    app.setErrorHandler(async (err: Error & { statusCode?: number; retryMinutes?: number }, req, reply) => {
      if (err.statusCode === 429 && req.url.startsWith('/console/login')) {
        const lang = langOf(req);
        return reply.code(429).type('text/html; charset=utf-8').send(layout(lang, loginPage(lang, reply.generateCsrf(), true, err.retryMinutes ?? 1)));
      }
      throw err;
    });

    // Open live views end when the server shuts down (they would otherwise hold it open).
    const streams = new Set<Stream>();
    app.addHook('preClose', async () => {
      for (const stream of [...streams]) stream.end();
    });

    // Static assets: Chart.js from its package, and the dashboard's own script.
    // The UMD build is not in the package's exports: found next to its main entry (dist/chart.cjs).
    const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
    app.get('/console/assets/chart.js', async (_req, reply) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(chartJs));
    app.get('/console/assets/dashboard.js', async (_req, reply) => reply.type('application/javascript; charset=utf-8').send(DASHBOARD_JS));
    app.get('/console/assets/console.js', async (_req, reply) => reply.type('application/javascript; charset=utf-8').send(CONSOLE_JS));

    // Who is asking: every console page but the login needs a signed-in, active user.
    app.addHook('preHandler', async (req, reply) => {
      if (req.url.startsWith('/console/login') || req.url.startsWith('/console/assets/')) return;
      const user = req.session.userId ? await accounts.byId(req.session.userId) : undefined;
      if (!user) {
        if (req.method === 'GET' && !req.url.startsWith('/admin/')) return reply.redirect('/console/login');
        return reply.code(401).send({ error: 'sign in first' });
      }
      // bull-board shows every queue of the deployment: supervisors and admins only.
      if (req.url.startsWith('/admin/queues')) {
        if (user.role !== 'supervisor' && user.role !== 'admin') return req.method === 'GET' ? problem(req, reply, 403, 'supervisors and admins only') : reply.code(403).send({ error: 'supervisors and admins only' });
        // Its actions (retry, clean, pause) are fetch calls that cannot carry our CSRF token:
        // they must come from a page of this server (Origin checked, as browsers always send it).
        if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req)) return reply.code(403).send({ error: 'cross-origin request refused' });
      }
      req.user = user;
      // A generated, shown-once password: nothing else until the user has chosen their own.
      const path = req.url.split('?')[0]!;
      if (user.mustChangePassword && !['/console/account', '/console/account/password', '/console/logout'].includes(path)) {
        if (req.method === 'GET') return reply.redirect('/console/account');
        return reply.code(403).send({ error: 'choose your own password first' });
      }
    });
    if (opts.pipeline) {
      // Mounted inside this scope so the session check above guards it (bull-board has no auth of its own).
      await app.register(await opts.pipeline.queueBoardPlugin('/admin/queues', opts.channels ?? []), { prefix: '/admin/queues' });
    }

    app.get('/console/login', async (req, reply) => {
      const lang = langOf(req);
      const token = reply.generateCsrf();
      return reply.type('text/html; charset=utf-8').send(layout(lang, loginPage(lang, token)));
    });

    app.post(
      '/console/login',
      {
        preHandler: app.csrfProtection,
        // Per address and account: guessing one person's password is slowed, while colleagues
        // behind the same office NAT can still sign in.
        config: {
          rateLimit: {
            max: 5,
            timeWindow: '1 minute',
            hook: 'preHandler',
            keyGenerator: (req: FastifyRequest) => `${req.ip}|${String((req.body as { email?: unknown } | undefined)?.email ?? '').trim().toLowerCase()}`,
            errorResponseBuilder: (_req: FastifyRequest, context: { ttl: number }) => Object.assign(new Error('too many sign-in attempts'), { statusCode: 429, retryMinutes: Math.max(1, Math.ceil(context.ttl / 60_000)) }),
          },
        },
      },
      async (req, reply) => {
        const lang = langOf(req);
        const body = (req.body ?? {}) as { email?: string; password?: string };
        const user = typeof body.email === 'string' && typeof body.password === 'string' ? await accounts.verify(body.email, body.password) : undefined;
        if (!user) {
          req.log.warn({ ip: req.ip }, 'console login failed');
          const token = reply.generateCsrf();
          return reply.code(401).type('text/html; charset=utf-8').send(layout(lang, loginPage(lang, token, true)));
        }
        // A new session id at sign-in (no fixation).
        await req.session.regenerate();
        req.session.userId = user.id;
        req.session.lang = lang;
        await audit(store, user, 'staff_login', {});
        return reply.redirect(user.mustChangePassword ? '/console/account' : '/console');
      },
    );

    app.post('/console/logout', { preHandler: app.csrfProtection }, async (req, reply) => {
      if (req.user) await audit(store, req.user, 'staff_logout', {});
      await req.session.destroy();
      return reply.redirect('/console/login');
    });

    // The user's own account: the names beneficiaries are told, and their password.
    const officerOf = (user: User, lang: Lang) => {
      try {
        return user.associations[0] ? opts.service?.flow(user.associations[0]).officer[lang] ?? '' : '';
      } catch {
        return '';
      }
    };
    const account = async (req: FastifyRequest, reply: FastifyReply, v: { error?: string; saved?: boolean } = {}) => {
      const lang = langOf(req);
      const user = (await accounts.byId(req.user!.id))!;
      const page = accountPage(lang, { user, csrf: reply.generateCsrf(), officer: officerOf(user, lang), mustChange: !!user.mustChangePassword, ...v });
      return reply.code(v.error ? 400 : 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(lang, page, user));
    };
    app.get('/console/account', async (req, reply) => account(req, reply));
    app.post('/console/account/names', { preHandler: app.csrfProtection }, async (req, reply) => {
      const b = (req.body ?? {}) as { nameAr?: unknown; nameEn?: unknown };
      await accounts.setDisplayNames(req.user!.id, { ar: typeof b.nameAr === 'string' ? b.nameAr : '', en: typeof b.nameEn === 'string' ? b.nameEn : '' });
      await audit(store, req.user!, 'staff_display_names_set', {});
      return account(req, reply, { saved: true });
    });
    app.post('/console/account/password', { preHandler: app.csrfProtection }, async (req, reply) => {
      const b = (req.body ?? {}) as { current?: unknown; next?: unknown; again?: unknown };
      const [current, next, again] = [b.current, b.next, b.again].map((v) => (typeof v === 'string' ? v : ''));
      if (next !== again) return account(req, reply, { error: 'the two new passwords differ' });
      try {
        await accounts.changePassword(req.user!.id, current!, next!, req.session.sessionId);
      } catch (err) {
        if (err instanceof AccountError) return account(req, reply, { error: err.message });
        throw err;
      }
      await audit(store, req.user!, 'staff_password_changed', {});
      return reply.redirect('/console');
    });

    app.get('/console/whatsapp', async (req, reply) => {
      const lang = langOf(req);
      const user = req.user!;
      if (user.role !== 'admin') return problem(req, reply, 403, 'admins only');
      const sessions = await Promise.all(
        user.associations.map(async (id) => {
          const s = opts.whatsappSession?.(id);
          return { associationId: id, name: opts.service?.flow(id).name[lang] ?? id, state: s?.state ?? 'off', ...(s?.qr ? { qrSvg: await QRCode.toString(s.qr, { type: 'svg', margin: 2 }) } : {}) };
        }),
      );
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(layout(lang, whatsappPage(lang, sessions), user));
    });

    // The site's root and the slash form of the console's address open the console.
    app.get('/', async (_req, reply) => reply.redirect('/console'));
    app.get('/console/', async (_req, reply) => reply.redirect('/console'));

    app.get('/console/*', async (req, reply) => problem(req, reply, 404, 'not found'));

    app.get('/console', async (req, reply) => {
      const lang = langOf(req);
      const user = req.user!;
      const waiting = await store.inbox.waitingCounts(user.associations);
      return reply.type('text/html; charset=utf-8').send(layout(lang, homePage(lang, user, waiting, reply.generateCsrf()), user));
    });

    if (opts.service && opts.pipeline) {
      const service = opts.service;
      const pipeline = opts.pipeline;
      app.get<{ Querystring: { association?: string } }>('/console/dashboard', async (req, reply) => {
        const user = req.user!;
        if (user.role !== 'supervisor' && user.role !== 'admin') return problem(req, reply, 403, 'supervisors and admins only');
        const lang = langOf(req);
        if (req.query.association && !user.associations.includes(req.query.association)) return problem(req, reply, 404, 'not found');
        // The association chosen last in this session, else the user's own (the first one they were given).
        const remembered = req.session.dashboardAssociation && user.associations.includes(req.session.dashboardAssociation) ? req.session.dashboardAssociation : undefined;
        const selected = req.query.association ?? remembered ?? user.associations[0]!;
        if (req.query.association) req.session.dashboardAssociation = selected;
        const flow = service.flow(selected);
        const data = await dashboardData(store, flow, await pipeline.snapshot(), new Date(), lang);
        const names = user.associations.map((id) => ({ id, name: service.flow(id).name[lang] }));
        return reply.type('text/html; charset=utf-8').send(layout(lang, dashboardPage(lang, names, selected, data, fmtFor(lang)(selected)), user));
      });

      type ById = { Params: { id: string } };
      const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown, params: Record<string, string> = {}) => {
        if (!(err instanceof ConflictError)) throw err;
        const code = err.message === 'not found' ? 404 : err.message === 'forbidden' ? 403 : 409;
        return problem(req, reply, code, err.message, params);
      };
      const requests = new Requests(store, opts.service);
      type ByRef = { Params: { ref: string } };
      // Every request, finished ones too: filtered by status, submission dates (in the association's
      // time zone), association and a reference or name, 25 a page. A beneficiary's name never goes
      // in a URL (nor in access logs): the filter form is a POST, the term stays in the session and
      // the list's URL carries a random id for it (`s`) beside the other filters and the page.
      type ListFilter = { status?: string; from?: string; to?: string; association?: string };
      const listFilter = (user: User, q: ListFilter) => {
        const status = (REQUEST_STATUSES as readonly string[]).includes(q.status ?? '') ? q.status! : '';
        const association = q.association && user.associations.includes(q.association) ? q.association : '';
        const day = (v: string | undefined) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : '');
        return { status, association, from: day(q.from), to: day(q.to) };
      };
      app.post('/console/requests', { preHandler: app.csrfProtection }, async (req, reply) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const query = new URLSearchParams(Object.entries(listFilter(req.user!, { status: str(b.status), from: str(b.from), to: str(b.to), association: str(b.association) })).filter(([, v]) => v));
        const term = (str(b.q) ?? '').trim().slice(0, 100);
        if (term) {
          const id = randomBytes(9).toString('base64url');
          // The newest few searches of the session (other tabs, the back button), oldest dropped.
          req.session.requestSearches = Object.fromEntries([...Object.entries(req.session.requestSearches ?? {}), [id, term] as const].slice(-20));
          query.set('s', id);
        }
        const qs = query.toString();
        return reply.redirect(`/console/requests${qs ? `?${qs}` : ''}`, 303);
      });
      type ListQuery = { Querystring: ListFilter & { s?: string; page?: string } };
      app.get<ListQuery>('/console/requests', async (req, reply) => {
        const lang = langOf(req);
        const user = req.user!;
        const q = req.query;
        const { status, association, from, to } = listFilter(user, q);
        const searchId = q.s && Object.hasOwn(req.session.requestSearches ?? {}, q.s) ? q.s : '';
        const search = searchId ? req.session.requestSearches![searchId]! : '';
        const page = Math.max(1, Math.min(100_000, Number.parseInt(q.page ?? '1', 10) || 1));
        const zone = fmtFor(lang)(association || user.associations[0]).timeZone;
        const { rows, total } = await requests.list(user, {
          ...(status ? { statuses: [status] } : {}),
          ...(association ? { associationId: association } : {}),
          ...(from ? { submittedFrom: dayStart(from, zone) } : {}),
          ...(to ? { submittedTo: dayStart(nextDay(to), zone) } : {}),
          ...(search ? { search } : {}),
          page,
        });
        const names = user.associations.map((id) => ({ id, name: service.flow(id).name[lang] }));
        const filter = { status, from, to, association, q: search };
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(layout(lang, requestsPage(lang, { rows, total, page, pageSize: PAGE_SIZE, filter, searchId, associations: names, statuses: [...REQUEST_STATUSES], csrf: reply.generateCsrf() }, fmtFor(lang)), user));
      });
      app.get<ByRef>('/console/requests/:ref', async (req, reply) => {
        const lang = langOf(req);
        const row = await requests.get(req.user!, req.params.ref);
        if (!row) return problem(req, reply, 404, 'not found');
        await audit(store, req.user!, 'staff_viewed_request', { reference: row.reference }, { associationId: row.associationId, conversationId: row.conversationId, requestId: row.id });
        const role = req.user!.role;
        const can = { verify: CAN.verify.includes(role), decide: CAN.decide.includes(role), deliver: CAN.deliver.includes(role) };
        const decision = await requests.decision(row);
        return reply.type('text/html; charset=utf-8').send(layout(lang, requestPage(lang, row, requests.fields(row, lang), can, reply.generateCsrf(), fmtFor(lang)(row.associationId), decision), req.user));
      });
      app.get<ById>('/console/media/:id', async (req, reply) => {
        const file = await requests.media(req.user!, req.params.id);
        if (!file) return problem(req, reply, 404, 'not found');
        let bytes: Buffer;
        try {
          bytes = await service.media.get(mediaKeyOf(file.path, service.mediaDir));
        } catch (err) {
          // Recorded but no longer in the store (erased, or lost): the friendly page, not a 500.
          if (err instanceof MediaNotFoundError) return problem(req, reply, 404, 'not found');
          throw err;
        }
        await audit(store, req.user!, 'staff_viewed_attachment', { mediaId: req.params.id });
        return reply
          .type(file.mime)
          .header('content-security-policy', 'sandbox')
          .header('content-disposition', `inline; filename="${(file.filename ?? 'file').replace(/[^\w.-]/g, '_')}"`)
          .send(bytes);
      });
      const act = (path: string, run: (user: User, ref: string, body: Record<string, unknown>) => unknown) =>
        app.post<ByRef>(`/console/requests/:ref/${path}`, { preHandler: app.csrfProtection }, async (req, reply) => {
          try {
            const outcome = await run(req.user!, req.params.ref, (req.body ?? {}) as Record<string, unknown>);
            const conversationId = (outcome as { outcome?: { conversationId?: string }; conversationId?: string } | undefined)?.outcome?.conversationId ?? (outcome as { conversationId?: string } | undefined)?.conversationId;
            if (conversationId) await pipeline.kickOutbound(conversationId);
            pipeline.dispatchSoon();
          } catch (err) {
            return fail(req, reply, err);
          }
          return reply.redirect(`/console/requests/${encodeURIComponent(req.params.ref)}`);
        });
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
      act('forward', (user, ref) => requests.forward(user, ref));
      act('corrections', (user, ref, body) => requests.askCorrections(user, ref, list(body.fields), typeof body.note === 'string' && body.note.trim() ? body.note.trim() : undefined));
      act('decide', (user, ref, body) => requests.decide(user, ref, body.outcome === 'rejected' ? 'rejected' : 'accepted', typeof body.reason === 'string' ? body.reason : undefined));
      act('delivered', (user, ref) => requests.delivered(user, ref));
      // One button per field and mark: its value is "<field>:<mark>".
      act('mark', (user, ref, body) => {
        const [field = '', mark] = String(body.fieldMark ?? '').split(':');
        return requests.markField(user, ref, field, mark === 'verified' || mark === 'mismatched' ? mark : 'clear');
      });

      const inbox = new Inbox(store, opts.service);
      const records = new Records(store, service);

      app.get('/console/inbox', async (req, reply) => {
        const lang = langOf(req);
        return reply.type('text/html; charset=utf-8').send(layout(lang, inboxScreen(lang, await inbox.list(req.user!)), req.user));
      });

      app.get<ById>('/console/conversations/:id', async (req, reply) => {
        const lang = langOf(req);
        const c = await inbox.get(req.user!, req.params.id);
        if (!c) return problem(req, reply, 404, 'not found');
        await audit(store, req.user!, 'staff_viewed_conversation', { conversationId: c.id }, { associationId: c.associationId, conversationId: c.id });
        const holder = c.assignedStaffId ? (await accounts.byId(c.assignedStaffId))?.name : undefined;
        const page = conversationPage(lang, { ...c, notes: await records.notesOf(c.id), resume: await inbox.resumeFields(c.id, lang) }, req.user!.id, reply.generateCsrf(), fmtFor(lang)(c.associationId), holder, TAKE_OVER.includes(req.user!.role));
        return reply.type('text/html; charset=utf-8').send(layout(lang, page, req.user));
      });

      // A staff action on a conversation: its replies go out now, then back to the page or the inbox.
      const onConversation = (path: string, run: (user: User, id: string, body: Record<string, unknown>) => unknown, back: 'conversation' | 'inbox') =>
        app.post<ById>(`/console/conversations/:id/${path}`, { preHandler: app.csrfProtection }, async (req, reply) => {
          try {
            await run(req.user!, req.params.id, (req.body ?? {}) as Record<string, unknown>);
          } catch (err) {
            // Someone else took it first: say who.
            const holderId = err instanceof ConflictError && err.message === 'someone else holds this conversation' ? (await inbox.get(req.user!, req.params.id))?.assignedStaffId : undefined;
            const holder = holderId ? (await accounts.byId(holderId))?.name : undefined;
            if (holder) return problem(req, reply, 409, 'held by', { name: holder });
            return fail(req, reply, err);
          }
          await pipeline.kickOutbound(req.params.id);
          pipeline.dispatchSoon();
          return reply.redirect(back === 'inbox' ? '/console/inbox' : `/console/conversations/${encodeURIComponent(req.params.id)}`);
        });
      onConversation('claim', (user, id) => inbox.claim(user, id), 'conversation');
      onConversation('takeover', async (user, id) => {
        const { from } = await inbox.takeOver(user, id);
        if (from) await audit(store, user, 'staff_took_over', { conversationId: id, from: `user:${from}` }, { conversationId: id, associationId: (await inbox.get(user, id))?.associationId ?? user.associations[0] });
      }, 'conversation');
      onConversation('reply', (user, id, body) => inbox.reply(user, id, String(body.text ?? '')), 'conversation');
      onConversation('release', (user, id, body) => {
        const raw = String(body.resumeAt ?? 'form');
        const resumeAt: ResumePoint = raw === 'menu' || raw === 'review' ? raw : raw.startsWith('field:') ? { field: raw.slice(6) } : 'form';
        return inbox.release(user, id, resumeAt);
      }, 'inbox');
      onConversation('resolve', (user, id) => inbox.resolve(user, id), 'inbox');

      app.post<ById>('/console/conversations/:id/notes', { preHandler: app.csrfProtection }, async (req, reply) => {
        try {
          await records.addNote(req.user!, { conversationId: req.params.id }, String((req.body as { text?: unknown })?.text ?? ''));
        } catch (err) {
          return fail(req, reply, err);
        }
        return reply.redirect(`/console/conversations/${encodeURIComponent(req.params.id)}#notes`);
      });

      app.post<ById>('/console/conversations/:id/record', { preHandler: app.csrfProtection }, async (req, reply) => {
        let id: string;
        try {
          id = await records.forConversation(req.user!, req.params.id);
        } catch (err) {
          return fail(req, reply, err);
        }
        return reply.redirect(`/console/beneficiaries/${encodeURIComponent(id)}`);
      });

      // Live views: each open page polls SQLite (cheap, indexed) and gets a fresh fragment when
      // its fingerprint changes — whichever process (worker, gateway) made the change.
      const live = (req: FastifyRequest, reply: FastifyReply, signature: () => Promise<string>, render: () => Promise<unknown>) => {
        let last = '';
        let busy = false;
        const tick = async () => {
          // One look at a time: a slow database never piles up ticks.
          if (busy) return;
          busy = true;
          try {
            const now = await signature();
            if (now === last) return;
            last = now;
            const update = await render();
            if (!closed) stream.send('update', update);
          } catch (err) {
            req.log.warn({ err }, 'console live view: refresh failed');
          } finally {
            busy = false;
          }
        };
        let closed = false;
        const timer = setInterval(() => void tick(), opts.livePollMs ?? 1000);
        const stream = openStream(req, reply, () => {
          closed = true;
          clearInterval(timer);
          streams.delete(stream);
        });
        streams.add(stream);
        void tick();
      };

      app.get('/console/inbox/stream', async (req, reply) => {
        const lang = langOf(req);
        const user = req.user!;
        live(req, reply, () => inbox.signature(user), async () => ({ html: inboxPage(lang, await inbox.list(user)) }));
      });

      app.get<ById>('/console/conversations/:id/stream', async (req, reply) => {
        const lang = langOf(req);
        const user = req.user!;
        const first = await inbox.get(user, req.params.id);
        if (!first) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
        live(req, reply, () => inbox.conversationSignature(first.id), async () => {
          const c = (await inbox.get(user, first.id))!;
          return { mode: `${c.mode}:${c.assignedStaffId ?? ''}`, html: conversationLog(lang, c.history, await records.notesOf(c.id), fmtFor(lang)(c.associationId)) };
        });
      });

      // ── beneficiary records, offline contacts, data rights ──────────────────────────
      const html = (reply: FastifyReply, lang: Lang, body: string, user?: User) => reply.type('text/html; charset=utf-8').send(layout(lang, body, user));
      const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      const rightsOf = (user: User) => ({ export: DATA_RIGHTS.export.includes(user.role), erase: DATA_RIGHTS.erase.includes(user.role) });
      const names = (user: User, lang: Lang) => user.associations.map((id) => ({ id, name: service.flow(id).name[lang] }));

      app.get('/console/beneficiaries', async (req, reply) => {
        const lang = langOf(req);
        return html(reply, lang, beneficiariesPage(lang, { associations: names(req.user!, lang), csrf: reply.generateCsrf() }, fmtFor(lang)), req.user);
      });
      // A search by national ID or phone is a POST: such numbers never go in a URL (nor in access logs).
      app.post('/console/beneficiaries/search', { preHandler: app.csrfProtection }, async (req, reply) => {
        const lang = langOf(req);
        const q = str(body(req).q).slice(0, 200);
        const results = await records.search(req.user!, q);
        await audit(store, req.user!, 'staff_searched_beneficiaries', { results: results.length });
        return html(reply, lang, beneficiariesPage(lang, { associations: names(req.user!, lang), csrf: reply.generateCsrf(), query: q, results }, fmtFor(lang)), req.user);
      });
      app.post('/console/beneficiaries', { preHandler: app.csrfProtection }, async (req, reply) => {
        const lang = langOf(req);
        const b = body(req);
        try {
          const { id } = await records.create(req.user!, str(b.association), { name: str(b.name), nationalId: str(b.nationalId), phone: str(b.phone) });
          return reply.redirect(`/console/beneficiaries/${encodeURIComponent(id)}`);
        } catch (err) {
          if (!(err instanceof ConflictError) || err.message === 'not found') return fail(req, reply, err);
          return reply.code(400).type('text/html; charset=utf-8').send(layout(lang, beneficiariesPage(lang, { associations: names(req.user!, lang), csrf: reply.generateCsrf(), error: err.message }, fmtFor(lang)), req.user));
        }
      });
      app.get<ById>('/console/beneficiaries/:id', async (req, reply) => {
        const lang = langOf(req);
        const record = await records.get(req.user!, req.params.id);
        if (!record) return problem(req, reply, 404, 'not found');
        await audit(store, req.user!, 'staff_viewed_beneficiary', { beneficiaryId: record.beneficiary.id }, { associationId: record.beneficiary.associationId });
        return html(reply, lang, recordPage(lang, record, rightsOf(req.user!), reply.generateCsrf(), fmtFor(lang)(record.beneficiary.associationId)), req.user);
      });
      const onRecord = (path: string, run: (user: User, id: string, b: Record<string, unknown>) => unknown, hash = '') =>
        app.post<ById>(`/console/beneficiaries/:id/${path}`, { preHandler: app.csrfProtection }, async (req, reply) => {
          try {
            await run(req.user!, req.params.id, body(req));
          } catch (err) {
            const refused = err instanceof ConflictError && err.message !== 'not found' && err.message !== 'forbidden';
            const record = refused ? await records.get(req.user!, req.params.id) : undefined;
            if (!record) return fail(req, reply, err);
            // A form that could not be taken: the record again, with the reason at the top.
            const lang = langOf(req);
            return reply.code(400).type('text/html; charset=utf-8').send(layout(lang, recordPage(lang, record, rightsOf(req.user!), reply.generateCsrf(), fmtFor(lang)(record.beneficiary.associationId), (err as Error).message), req.user));
          }
          return reply.redirect(`/console/beneficiaries/${encodeURIComponent(req.params.id)}${hash}`);
        });
      onRecord('offline', (user, id, b) => records.logOffline(user, id, { kind: str(b.kind), direction: str(b.direction), summary: str(b.summary), occurredAt: str(b.occurredAt) }), '#offline');
      onRecord('notes', (user, id, b) => records.addNote(user, { beneficiaryId: id }, str(b.text)), '#notes');
      onRecord('erase', (user, id, b) => {
        if (str(b.confirm).trim() !== 'erase' && str(b.confirm).trim() !== 'حذف') throw new ConflictError('type the confirmation word to erase');
        return records.erase(user, id, str(b.reason));
      });
      // The export: JSON to hand over (a download, never cached), and the same as a readable page.
      app.get<ById>('/console/beneficiaries/:id/export.json', async (req, reply) => {
        let data: Record<string, unknown>;
        try {
          data = await records.export(req.user!, req.params.id);
        } catch (err) {
          return fail(req, reply, err);
        }
        return reply
          .type('application/json; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="tawasul-export-${req.params.id.replace(/[^\w-]/g, '')}.json"`)
          .send(JSON.stringify(data, null, 2));
      });
      app.get<ById>('/console/beneficiaries/:id/export', async (req, reply) => {
        const lang = langOf(req);
        let data: Record<string, unknown>;
        try {
          data = await records.export(req.user!, req.params.id);
        } catch (err) {
          return fail(req, reply, err);
        }
        return html(reply.header('cache-control', 'no-store'), lang, exportPage(lang, data, fmtFor(lang)((data.beneficiary as { associationId?: string } | undefined)?.associationId)), req.user);
      });
    }
  });
}

/** Where an error page links back to: the page the action was on, or the list a missing item was in. */
function backFor(method: string, url: string, status: number): { href: string; to: BackTo } {
  const path = url.split(/[?#]/)[0]!;
  const m = /^\/console\/(requests|conversations|beneficiaries)\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return { href: '/console', to: 'home' };
  const [, kind, id] = m as unknown as [string, 'requests' | 'conversations' | 'beneficiaries', string];
  const list = { requests: ['/console/requests', 'requests'], conversations: ['/console/inbox', 'inbox'], beneficiaries: ['/console/beneficiaries', 'people'] } as const;
  const item = { requests: 'request', conversations: 'conversation', beneficiaries: 'record' } as const;
  // A missing item: back to its list. A refused action on an item: back to the item's page.
  if (status === 404 || method === 'GET') return { href: list[kind][0], to: list[kind][1] };
  return { href: `/console/${kind}/${id}`, to: item[kind] };
}

/** The request comes from a page of this server (host compared: TLS may end at a proxy in front). */
function sameOrigin(req: FastifyRequest): boolean {
  try {
    return !!req.headers.origin && new URL(req.headers.origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export type { FastifyReply };
