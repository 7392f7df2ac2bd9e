import { Router, type Request, type Response } from 'express';
import type { PortalDeps } from './deps';
import type { Messages } from './i18n/messages';
import { renderError, renderPage } from './render';
import { openingHoursText, termsFor } from './splash';

/**
 * Where a phone can start logging in at a hotspot without a router redirect (the RFC 8908 user-portal-url and
 * venue-info-url): the hotspot's own login page when it is known (a MikroTik's configured login host, a Chilli's
 * address as its last signed redirect gave it), or how to get there (open any http:// page), with the venue's
 * hours and terms.
 */
export function venueRouter(deps: PortalDeps): Router {
  const router = Router();
  router.get('/hotspot/venue', async (req: Request, res: Response) => {
    const id = typeof req.query['hotspot'] === 'string' ? req.query['hotspot'] : '';
    const hotspot = /^[a-z0-9-]{1,64}$/.test(id) ? await deps.hotspots.find({ id }) : null;
    if (!hotspot) return renderError(res, 404, 'errUnknownHotspot');
    const t = res.locals['t'] as Messages;
    const chilliLogin = await deps.redis.hget(deps.keys.hotspot(hotspot.id), 'chilliLoginUrl').catch(() => null);
    const loginUrl = chilliLogin ?? (hotspot.loginHosts[0] ? `http://${hotspot.loginHosts[0]}/login` : null);
    res.setHeader('Cache-Control', 'no-store');
    renderPage(res, 'venue', {
      hotspot,
      loginUrl,
      hours: hotspot.openingHours ? openingHoursText(hotspot.openingHours, t) : null,
      terms: termsFor(hotspot, t),
    });
  });
  return router;
}
