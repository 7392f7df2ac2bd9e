import { Router, type Request, type Response } from 'express';
import type { PortalDeps } from './mikrotik';
import { normalizeSourceIp } from '../radius/nas-directory';

function sourceIp(req: Request): string {
  return normalizeSourceIp(req.ip ?? '');
}

/**
 * RFC 8908 Captive Portal API, per hotspot: `GET /api/captive/<hotspot-id>`, the URI that DHCP option 114 (RFC
 * 8910) hands to clients. A client is known when its address is the Framed-IP-Address of a live session of the
 * hotspot (routers that do not NAT the portal traffic; with TRUST_PROXY, X-Forwarded-For); then it is not captive
 * and gets the seconds and bytes it has left. Otherwise it is captive.
 */
export function captiveApiRouter(deps: PortalDeps): Router {
  const router = Router();
  router.get('/api/captive/:hotspotId', async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const hotspotId = String(req.params['hotspotId']);
    const hotspot = /^[a-z0-9-]{1,64}$/.test(hotspotId) ? await deps.hotspots.find({ id: hotspotId }) : null;
    if (!hotspot) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such hotspot; use the URI from DHCP option 114.' } });
      return;
    }
    const body: Record<string, unknown> = {
      captive: true,
      'user-portal-url': `${deps.publicUrl}/`,
      'venue-info-url': `${deps.publicUrl}/hotspot/welcome?hotspot=${encodeURIComponent(hotspot.id)}`,
    };
    const ip = sourceIp(req);
    const { redis, keys } = deps;
    for (const sid of await redis.smembers(keys.hotspotLive(hotspot.id))) {
      const [state, framedIp, mac, startedAt] = await redis.hmget(keys.session(sid), 'state', 'framedIp', 'mac', 'startedAt');
      if (state !== 'active' || !framedIp || framedIp !== ip) continue;
      const [sec] = await redis.time();
      const day = Math.floor((Number(sec) + 25200) / 86400);
      const [usedSec, usedBytes] = await redis.hmget(keys.device(mac ?? ''), `d${day}:s`, `d${day}:b`);
      const elapsed = Math.max(0, Number(sec) - Math.floor(Number(startedAt ?? 0) / 1000));
      body['captive'] = false;
      body['seconds-remaining'] = Math.max(0, Math.min(hotspot.dailyMinutes * 60 - Number(usedSec ?? 0), hotspot.sessionMinutes * 60 - elapsed));
      body['bytes-remaining'] = Math.max(0, hotspot.dailyMB * 1048576 - Number(usedBytes ?? 0));
      body['can-extend-session'] = false;
      break;
    }
    res.type('application/captive+json').send(JSON.stringify(body));
  });
  return router;
}
