import { Router, type NextFunction, type Request, type Response } from 'express';
import { cookies } from '../cookies';
import { consoleSession, csrfOk, login, logout, SESSION_COOKIE } from './auth';
import { AdminError } from './errors';
import { FORMATTERS } from './format';
import { ADMIN_MESSAGES } from './i18n';
import { wib } from './insight';
import { can, type Action } from './policy';
import { errorText, fill } from './problems';
import { changeOwnPassword } from './service';
import { form, locals, orRefused, str, type ConsoleDeps } from './console/common';
import { agencyRoutes } from './console/agencies';
import { hotspotRoutes } from './console/hotspots';
import { insightRoutes } from './console/insight';
import { operatorRoutes } from './console/operators';
import { rightSizingRoutes } from './console/right-sizing';
import { sessionRoutes } from './console/sessions';
import { voucherRoutes } from './console/vouchers';

/**
 * The admin console at /admin: server-rendered pages and plain forms (they work without JavaScript), every form
 * with the session's CSRF token, every change through the service layer (role, scope, audit). Bahasa Indonesia by
 * default, English by choice (a cookie remembers it). This router signs in and out, checks the session, the CSRF
 * token and the viewer's read-only rule, and mounts one router per aggregate (src/admin/console/).
 */

export type { ConsoleDeps } from './console/common';

const LANG_COOKIE = 'limpah_admin_lang';

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = Router();

  // Language, then the session: everything below /admin except the sign-in page needs one.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const chosen = req.query['lang'] === 'en' || req.query['lang'] === 'id' ? req.query['lang'] : cookies(req)[LANG_COOKIE];
    if (req.query['lang'] === 'en' || req.query['lang'] === 'id') res.cookie(LANG_COOKIE, req.query['lang'], { httpOnly: true, sameSite: 'strict', path: '/admin', maxAge: 365 * 86_400_000 });
    const lang = chosen === 'en' ? 'en' : chosen === 'id' ? 'id' : (req.get('accept-language') ?? '').toLowerCase().startsWith('en') ? 'en' : 'id';
    res.locals['a'] = ADMIN_MESSAGES[lang];
    res.locals['fmt'] = FORMATTERS[lang];
    res.locals['fill'] = fill;
    res.locals['wib'] = wib;
    res.locals['t'] = { lang };
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/login', (req, res) => res.render('admin/login', { error: null, username: '' }));
  router.post('/login', async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const username = str(b['username']).trim().toLowerCase();
    const r = await login(deps.redis, deps.keys, username, str(b['password']), req.ip ?? '');
    const a = locals(res).a;
    if (!r.ok && r.reason === 'throttled') {
      // The limit hit tells the user what to do: wait here, or wait and tell another admin that someone is guessing.
      req.log?.warn({ username: username.slice(0, 64), ip: req.ip, limit: r.limit }, 'console sign-in throttled');
      const minutes = Math.ceil(r.retryAfterMs / 60_000);
      res.setHeader('Retry-After', String(Math.ceil(r.retryAfterMs / 1000)));
      return res.status(429).render('admin/login', { error: a.throttled[r.limit].replace('{minutes}', String(minutes)), username });
    }
    if (!r.ok) return res.status(401).render('admin/login', { error: a.badCredentials, username });
    res.cookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure });
    res.redirect(303, '/admin');
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const session = await consoleSession(deps.redis, deps.keys, req);
    if (!session) return res.redirect(303, '/admin/login');
    res.locals['session'] = session;
    res.locals['actor'] = session.actor;
    // The templates ask the same policy as the routes: can('administer'), can('block.lift', block).
    res.locals['can'] = (action: Action, target?: unknown) => (can as (...a: unknown[]) => boolean)(session.actor, action, target);
    res.locals['csrf'] = session.csrf;
    res.locals['path'] = req.path;
    res.locals['msg'] = typeof req.query['msg'] === 'string' ? req.query['msg'].slice(0, 300) : null;
    req.body ??= {};
    if (req.method === 'POST' && !csrfOk(session, form(req)['_csrf'])) {
      return res.status(403).render('admin/message', { title: locals(res).a.badCsrf, body: '' });
    }
    // A viewer changes nothing: every form but sign-out and its own password is refused before it reaches its route.
    if (req.method === 'POST' && req.path !== '/logout' && req.path !== '/account' && !can(session.actor, 'change')) {
      return res.status(403).render('admin/message', { title: locals(res).a.forbidden, body: locals(res).a.errors.viewerReadOnly });
    }
    next();
  });

  // Any signed-in operator, viewers too, changes their own password; every session of the account ends.
  router.get('/account', (_req, res) => res.render('admin/account', { error: null }));
  router.post('/account', async (req, res) => {
    const b = form(req);
    await orRefused(res, async () => {
      await changeOwnPassword(deps, locals(res).actor, { current: str(b['current']), password: str(b['password']), confirm: str(b['confirm']) });
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/admin/login');
    }, async (error, status) => void res.status(status).render('admin/account', { error }));
  });

  router.post('/logout', async (_req, res) => {
    await logout(deps.redis, deps.keys, locals(res).session.token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/admin/login');
  });

  router.use(insightRoutes(deps));
  router.use(rightSizingRoutes(deps));
  router.use(hotspotRoutes(deps));
  router.use(sessionRoutes(deps));
  router.use(voucherRoutes(deps));
  router.use(agencyRoutes(deps));
  router.use(operatorRoutes(deps));

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AdminError)) return next(err);
    const a = locals(res).a;
    res.status(err.status).render('admin/message', { title: err.code === 'FORBIDDEN' ? a.forbidden : errorText(err, a), body: err.code === 'FORBIDDEN' && err.text ? errorText(err, a) : '' });
  });

  return router;
}
