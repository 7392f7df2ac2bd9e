import { randomBytes, randomUUID } from 'node:crypto';
import compression from 'compression';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { RedisClient as Redis } from '../redis/client';
import { isLimpahError } from '../errors';
import type { Logger } from '../log';
import { paths } from '../paths';
import type { Keys } from '../pool/keys';
import { HotspotLookup } from './hotspot-cache';
import type { FormSigner } from './form-token';
import { format, MESSAGES, pickLocale } from './i18n/messages';
import { usageRouter } from '../telemetry/usage-routes';
import { captiveApiRouter } from './captive-api';
import { chilliRouter } from './chilli';
import { statusRouter } from './status';
import { mikrotikRouter } from './mikrotik';
import { voucherLinkRouter } from './voucher-link';
import { consoleRouter } from '../admin/console';
import type { AdminDeps } from '../admin/service';
import { renderError } from './render';

export interface AppDeps {
  /** The admin console and API, when the app runs with them (the full Limpah always does). */
  readonly admin?: AdminDeps;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly logger: Logger;
  readonly signer: FormSigner;
  /** Signs status-page links (longer-lived than forms). */
  readonly statusSigner: FormSigner;
  readonly publicUrl: string;
  readonly trustProxy?: boolean;
}

/** Builds the HTTP app without listening; main.ts listens, tests hand it to supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const hotspots = new HotspotLookup(deps.redis, deps.keys, deps.logger);
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('view engine', 'ejs');
  app.set('views', paths.views);
  app.locals['format'] = format;

  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = randomUUID();
    req.log = deps.logger.child({ reqId: id });
    res.locals['nonce'] = randomBytes(16).toString('base64');
    const locale = pickLocale(req.query['lang'] ?? (req.body as Record<string, unknown> | undefined)?.['lang'], req.get('accept-language'));
    res.locals['t'] = MESSAGES[locale];
    res.locals['locale'] = locale;
    res.setHeader('Content-Language', locale);
    res.setHeader('Vary', 'Accept-Language');
    next();
  });

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': [(_req, res) => `'nonce-${(res as Response).locals['nonce'] as string}'`],
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
    }),
  );

  // gzip for slow links; tiny responses are not worth it.
  app.use(compression({ threshold: 512 }));
  app.use(
    '/static',
    express.static(paths.public, { maxAge: '30d', immutable: true, index: false, fallthrough: true }),
  );
  // Healthy when Redis answers within a second: without it no citizen can be admitted. One command slower than
  // the 150 ms command timeout on a busy machine is not an outage, so it is asked up to three times.
  app.get('/healthz', async (_req, res) => {
    const ping = async (): Promise<boolean> => {
      for (let i = 0; i < 3; i++) if (await deps.redis.ping().then(() => true, () => false)) return true;
      return false;
    };
    const ok = await Promise.race([ping(), new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref())]);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'redis unavailable' });
  });

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

  app.use('/api/v1', usageRouter(deps));
  app.use(captiveApiRouter({ ...deps, hotspots }));
  app.use(mikrotikRouter({ ...deps, hotspots }));
  app.use(chilliRouter({ ...deps, hotspots }));
  app.use(statusRouter({ ...deps, hotspots }));
  app.use(voucherLinkRouter());
  if (deps.admin) app.use('/admin', consoleRouter({ ...deps.admin, publicUrl: deps.publicUrl }));

  app.get('/hotspot/welcome', async (req, res) => {
    const id = typeof req.query['hotspot'] === 'string' ? req.query['hotspot'] : undefined;
    const hotspot = id && /^[a-z0-9-]{1,64}$/.test(id) ? await hotspots.find({ id }) : null;
    res.render('welcome', { hotspot });
  });

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
