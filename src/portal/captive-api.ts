import { Router, type Request, type Response } from 'express';
import type { PortalDeps } from './deps';
import { normalizeSourceIp } from '../radius/nas-directory';
import { allowanceLeft } from './allowance';
import { sendApiError } from '../api-errors';

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
      // Not an answer RFC 8908 describes (that is the captive state below): the error body of every JSON API.
      return sendApiError(res, 'NOT_FOUND', 'No such hotspot; use the URI from DHCP option 114.');
    }
    // Both lead somewhere useful whether or not the phone is captive yet: the venue page says how to log in here
    // (with the hotspot's login page when known), its hours and terms.
    const venue = `${deps.publicUrl}/hotspot/venue?hotspot=${encodeURIComponent(hotspot.id)}`;
    const body: Record<string, unknown> = {
      captive: true,
      'user-portal-url': `${venue}#masuk`,
      'venue-info-url': venue,
    };
    const ip = sourceIp(req);
    const { redis, keys } = deps;
    // The hotspot's live sessions read together (one pipelined round trip), to find this client's.
    const ids = await redis.smembers(keys.hotspotLive(hotspot.id));
    const rows = await Promise.all(ids.map((sid) => redis.hmget(keys.session(sid), 'state', 'framedIp', 'mac', 'startedAt', 'voucher')));
    const mine = rows.find(([state, framedIp]) => state === 'active' && framedIp && framedIp === ip);
    if (mine) {
      const [, , mac, startedAt, voucher] = mine;
      const [sec] = await redis.time();
      const left = await allowanceLeft(redis, keys, { mac: mac ?? undefined, voucher: voucher ?? undefined }, hotspot, Number(sec));
      // A free session also ends at the hotspot's per-session limit; a voucher session runs until its voucher ends.
      const sessionLeft = hotspot.sessionMinutes * 60 - Math.max(0, Number(sec) - Math.floor(Number(startedAt ?? 0) / 1000));
      body['captive'] = false;
      body['seconds-remaining'] = left.voucher ? left.seconds : Math.max(0, Math.min(left.seconds, sessionLeft));
      body['bytes-remaining'] = left.bytes;
      body['can-extend-session'] = false;
    }
    res.type('application/captive+json').send(JSON.stringify(body));
  });
  return router;
}
