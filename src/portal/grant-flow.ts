import type { Request, Response } from 'express';
import type { z } from 'zod';
import { allowGrant, createGrant, unstoredGrant, type Grant } from '../pool/grants';
import type { HotspotInfo } from '../pool/site-store';
import type { PortalDeps } from './mikrotik';
import { allowFormAction, renderError } from './render';

/**
 * The steps every NAS flavour's "Sambungkan" shares: the signed form, the grant (rate-limited, and issued even
 * while Redis is down), and the page that hands the credentials to the router.
 */

/** The splash form's fields, if they parse and carry the portal's valid signature; otherwise renders why not. */
export function signedFields<S extends z.ZodType<Record<string, string> & { token: string }>>(
  deps: Pick<PortalDeps, 'signer'>,
  res: Response,
  schema: S,
  body: unknown,
): Omit<z.infer<S>, 'token'> | null {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    renderError(res, 400, 'errBadRequest');
    return null;
  }
  const { token, ...fields } = parsed.data as Record<string, string>;
  const verdict = deps.signer.verify(fields, token!);
  if (verdict !== 'ok') {
    renderError(res, 400, verdict === 'expired' ? 'errExpiredForm' : 'errBadRequest');
    return null;
  }
  return fields as Omit<z.infer<S>, 'token'>;
}

/**
 * A grant for this device at this hotspot, within the rate limits (else a 429 page is rendered and null returned).
 * Without Redis there is no limit to check and nowhere to keep the grant: the credentials still go to the router,
 * and RADIUS, failing open, lets the citizen in at the safe rate.
 */
export async function issueGrant(
  deps: Pick<PortalDeps, 'redis' | 'keys'>,
  req: Request,
  res: Response,
  input: { hotspot: HotspotInfo; mac: string; chap?: { id: Buffer; challenge: Buffer } },
): Promise<Grant | null> {
  const { hotspot, mac } = input;
  const allowed = await allowGrant(deps.redis, deps.keys, { hotspotId: hotspot.id, mac, maxSessions: hotspot.maxSessions }).catch((err: unknown) => {
    req.log?.warn({ err }, 'Redis unavailable: grant rate limit not checked');
    return 'ok' as const;
  });
  if (allowed !== 'ok') {
    req.log?.warn({ hotspot: hotspot.id, mac, limit: allowed }, 'grant refused: too many in the last minute');
    res.setHeader('Retry-After', '60');
    renderError(res, 429, 'errTooManyGrants');
    return null;
  }
  const grant = await createGrant(deps.redis, deps.keys, { hotspotId: hotspot.id, mac, ...(input.chap ? { chap: input.chap } : {}) }).catch(
    (err: unknown) => {
      req.log?.warn({ err }, 'Redis unavailable: credentials issued without a stored grant');
      return unstoredGrant({ hotspotId: hotspot.id, mac });
    },
  );
  req.log?.info({ hotspot: hotspot.id, mac, chap: Boolean(input.chap) }, 'grant issued');
  return grant;
}

/** The page that submits the credentials to the router by itself (and by a button without JavaScript). */
export function renderRouterLogin(res: Response, action: string, method: 'get' | 'post', loginFields: Record<string, string>): void {
  allowFormAction(res, new URL(action).origin);
  res.setHeader('Cache-Control', 'no-store');
  res.render('router-login', { action, method, loginFields });
}
