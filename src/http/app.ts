import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cookies } from '../cookies';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { parseCidr } from '../config/env';
import { normalizeSourceIp } from '../radius/nas-directory';
import compression from 'compression';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { HelmetOptions } from 'helmet';
import { securityHeaders } from './security-headers';
import type { RedisClient as Redis } from '../redis/client';
import { isLimpahError } from '../errors';
import { apiNotFound } from '../api-errors';
import type { Logger } from '../log';
import { paths } from '../paths';
import type { Keys } from '../redis/keys';
import { HotspotLookup } from '../portal/hotspot-cache';
import type { FormSigner } from '../portal/form-token';
import { format, MESSAGES, pickLocale } from '../portal/i18n/messages';
import { usageRouter } from '../telemetry/usage-routes';
import { venueRouter } from '../portal/venue';
import type { Capacity } from '../pool/capacity';
import { captiveApiRouter } from '../portal/captive-api';
import { chilliRouter } from '../portal/chilli';
import { statusRouter } from '../portal/status';
import { mikrotikRouter } from '../portal/mikrotik';
import { voucherLinkRouter } from '../portal/voucher-link';
import { consoleRouter } from '../admin/console';
import { adminApiRouter } from '../admin/api';
import type { AdminDeps } from '../admin/service';
import type { Observability } from '../observability';
import { renderError, renderPage } from '../portal/render';

export interface AppDeps {
  /** Addresses or networks that may reach the console, the admin API and /metrics; undefined: anywhere. */
  readonly adminNetworks?: readonly string[] | undefined;
  /** /metrics and /readyz. */
  readonly observability: Observability;
  /** The admin console and API. */
  readonly admin: AdminDeps;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly logger: Logger;
  readonly signer: FormSigner;
  /** Signs status-page links (longer-lived than forms). */
  readonly statusSigner: FormSigner;
  readonly publicUrl: string;
  readonly trustProxy?: boolean;
  /** Recomputes public capacity after a usage push, and re-shares it when it moved. */
  readonly refreshCapacity: () => Promise<Capacity>;
}

/** A short digest of each file in the assets folder, for URLs that change when the file does. */
function assetVersions(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [e.name, createHash('sha256').update(readFileSync(join(dir, e.name))).digest('hex').slice(0, 10)]),
  );
}

/**
 * Script nonces (CSP): 16 random bytes each, cut in turn from a larger draw of the CSPRNG, which is asked once per
 * 256 responses instead of once per response.
 */
function nonces(): () => string {
  let pool = Buffer.alloc(0);
  let at = 0;
  return () => {
    if (at + 16 > pool.length) {
      pool = randomBytes(4096);
      at = 0;
    }
    at += 16;
    return pool.toString('base64', at - 16, at);
  };
}

/** The citizen's language choice, kept on the portal's origin. */
const LANG_COOKIE = 'limpah_lang';

/**
 * The security headers of every response (helmet's, see securityHeaders). The script nonce is the request's
 * (res.locals.nonce); the router-login page widens form-action to the router's origin (see allowFormAction).
 * Exported for the portal benchmark's floor, which runs helmet itself with them.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': [(_req: unknown, res: unknown) => `'nonce-${(res as Response).locals['nonce'] as string}'`],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'font-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      // The router-login page widens this to the router's origin (see allowFormAction).
      'form-action': ["'self'"],
    },
  },
  // The router is reached over plain http on the LAN: never upgrade or pin https for it.
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});

/** Builds the HTTP app without listening; main.ts listens, tests hand it to supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const hotspots = new HotspotLookup(deps.redis, deps.keys, deps.logger);
  app.disable('x-powered-by');
  // One proxy hop: the address it appended to X-Forwarded-For, not what a client wrote there before it.
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  app.set('view engine', 'ejs');
  app.set('views', paths.views);
  // Templates are compiled once, whatever NODE_ENV says (Express caches them only in production): they change with
  // a release, never while Limpah runs. (The citizens' pages are compiled by renderPage.)
  app.set('view cache', true);
  // Pages are made per request and sent with no-store: an ETag (a hash of every page) would never be used. Static
  // assets keep theirs (express.static makes its own).
  app.set('etag', false);
  app.locals['format'] = format;
  const versions = assetVersions(paths.public);
  app.locals['asset'] = (name: string) => `/static/${name}?v=${versions.get(name) ?? '0'}`;

  // Each request's logger, with the request's own id, made when something logs: most pages log nothing.
  const requestLogs = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let log = requestLogs.get(this);
      if (!log) {
        log = deps.logger.child({ reqId: randomUUID() });
        requestLogs.set(this, log);
      }
      return log;
    },
  });
  const nonce = nonces();

  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals['nonce'] = nonce();
    // A language the citizen chose sticks (a cookie on the portal) through the router's round trips, which carry
    // no language: the refusal page, the status page and the next visit come back in it.
    const chosen = req.query['lang'] ?? (req.body as Record<string, unknown> | undefined)?.['lang'];
    const remembered = cookies(req)[LANG_COOKIE];
    const locale = pickLocale(chosen ?? remembered, req.get('accept-language'));
    if ((chosen === 'id' || chosen === 'en') && chosen !== remembered) {
      res.cookie(LANG_COOKIE, chosen, { maxAge: 30 * 86_400_000, httpOnly: true, sameSite: 'lax', path: '/' });
    }
    res.locals['t'] = MESSAGES[locale];
    res.setHeader('Content-Language', locale);
    res.setHeader('Vary', 'Accept-Language, Cookie');
    next();
  });

  app.use(securityHeaders(HELMET_OPTIONS));

  // The citizens' routes first: they are nearly all of the traffic, and they gzip their pages themselves, whole
  // (renderPage), so they need neither compression() nor the operators' routes in front of them.

  // CSRF: every form that changes something carries a signed, expiring token bound to its fields; on top, a
  // browser that says which page posted (Origin) must name this portal. (No Origin, or "null" after a redirect,
  // is left to the token: captive browsers differ.)
  const ownOrigin = new URL(deps.publicUrl).origin;
  app.use('/hotspot', (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (req.method === 'POST' && req.path.endsWith('/connect') && origin && origin !== 'null' && origin !== ownOrigin && origin !== `${req.protocol}://${req.get('host') ?? ''}`) {
      req.log?.warn({ origin }, 'form posted from another site: refused');
      return renderError(res, 403, 'errBadRequest');
    }
    next();
  });

  app.use(mikrotikRouter({ ...deps, hotspots }));
  app.use(chilliRouter({ ...deps, hotspots }));
  app.use(captiveApiRouter({ ...deps, hotspots }));
  app.use(statusRouter({ ...deps, hotspots }));
  app.use(venueRouter({ ...deps, hotspots }));
  app.use(voucherLinkRouter());
  app.get('/hotspot/welcome', async (req, res) => {
    const id = typeof req.query['hotspot'] === 'string' ? req.query['hotspot'] : undefined;
    const hotspot = id && /^[a-z0-9-]{1,64}$/.test(id) ? await hotspots.find({ id }) : null;
    renderPage(res, 'welcome', { hotspot });
  });

  // gzip for slow links; tiny responses are not worth it. An 8 KB window (zlib's default is 32 KB) holds a page
  // of the console whole and costs a third less CPU per response (npm run bench:portal).
  app.use(compression({ threshold: 512, windowBits: 13 }));
  // Assets by a URL that names their content (`?v=<digest>`): a phone keeps one for a year and still gets the new
  // one after an upgrade. Asked for without it (an old page), they are revalidated every time.
  app.use(
    '/static',
    express.static(paths.public, {
      index: false,
      fallthrough: true,
      cacheControl: false,
      setHeaders: (res) => {
        const { req } = res as unknown as { req: Request };
        res.setHeader('Cache-Control', req.query['v'] === versions.get(basename(req.path)) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  // Browsers ask for it on every site; a page of HTML is the wrong answer.
  app.get('/favicon.ico', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=604800');
    res.status(204).end();
  });
  // The operators' side (console, admin API, metrics) only from ADMIN_NETWORKS, when set; the telemetry push and
  // the citizens' pages from anywhere. Elsewhere it does not exist (404), rather than asking for a password.
  // The agencies' usage push answers from anywhere (its own key is its guard): mounted before the operators' guard,
  // and it answers everything under its path itself.
  app.use('/api/v1/agencies/usage', usageRouter(deps));
  if (deps.adminNetworks) {
    const allowed = new BlockList();
    for (const text of deps.adminNetworks) {
      const c = parseCidr(text);
      if (c) allowed.addSubnet(c.address, c.prefix, c.family);
    }
    const operatorsOnly = (req: Request, res: Response, next: NextFunction) => {
      const ip = normalizeSourceIp(req.ip ?? '');
      if (ip && allowed.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) return next();
      req.log?.warn({ ip, path: req.originalUrl }, 'operator path asked from outside ADMIN_NETWORKS');
      if (req.baseUrl.toLowerCase().startsWith('/api/')) return apiNotFound(req, res);
      renderError(res, 404, 'errNotFound');
    };
    // By mount, as Express routes them (any case, a trailing slash, a query), not by comparing path strings.
    for (const mount of ['/admin', '/api/v1', '/metrics']) app.use(mount, operatorsOnly);
  }

  // Liveness: the process answers HTTP. Not Redis: restarting Limpah while Redis is down would only lose the
  // fail-open RADIUS and the accounting spool. Readiness (/readyz) is where Redis counts.
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  // Ready when Redis answers within a second (asked up to three times: one command slower than the 150 ms command
  // timeout on a busy machine is not an outage) and the site is loaded.
  app.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const r = await deps.observability.ready();
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ready' : 'not ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type(deps.observability.registry.contentType).send(await deps.observability.metrics());
  });

  app.use('/api/v1', adminApiRouter({ ...deps.admin, publicUrl: deps.publicUrl }));
  app.use('/admin', consoleRouter({ ...deps.admin, publicUrl: deps.publicUrl }));

  app.get('/', (_req, res) => {
    renderError(res, 200, 'errNotThroughRouter');
  });

  app.use((_req, res) => {
    renderError(res, 404, 'errNotFound');
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = isLimpahError(err) ? err.statusCode : ((err as { status?: number }).status ?? 500);
    if (status >= 500) req.log?.error({ err }, 'request failed');
    else req.log?.info({ err: (err as Error).message, status }, 'bad request');
    if (res.headersSent) return;
    if (!res.locals['t']) res.locals['t'] = MESSAGES.id;
    renderError(res, status, status >= 500 ? 'errServer' : 'errBadRequest');
  });

  return app;
}
