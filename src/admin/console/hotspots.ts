import { Router, type Response } from 'express';
import { fill } from '../problems';
import { can } from '../policy';
import { DEFAULT_RADIUS_ENDPOINT, loginHtmlFor, routerOsScript } from '../router-config';
import {
  addNas, AdminError, getHotspot, hotspotAllocation, kecamatanChoices, kecamatanOf, listHotspots, listSessions, nasSecret, removeNas, saveHotspot,
  setHotspotDisabled, writableHotspot,
} from '../service';
import { confirmed, done, form, list, locals, num, orRefused, str, type ConsoleDeps } from './common';

/** The console's hotspots: the list, a hotspot's page and form, its routers (RouterOS script, login.html). */

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The hotspot form as the service's input (numbers from text fields, checkboxes, weekday spans). */
function hotspotFromForm(b: Record<string, unknown>): unknown {
  const quota: Record<string, number> = {};
  for (const f of ['maxSessions', 'downKbps', 'upKbps', 'minDownKbps', 'minUpKbps', 'sessionMinutes', 'dailyMinutes', 'dailyMB', 'idleMinutes', 'interimSeconds', 'deviceSessions', 'maxShareKbps']) {
    const v = num(b[f]);
    if (!(f === 'maxShareKbps' && (Number.isNaN(v) || v === 0))) quota[f] = v;
  }
  const hours: Record<string, [string, string]> = {};
  for (const d of WEEKDAYS) {
    const from = str(b[`open_${d}`]);
    const to = str(b[`close_${d}`]);
    if (from && to) hours[d] = [from, to];
  }
  return {
    name: str(b['name']),
    kecamatan: str(b['kecamatan']),
    kind: str(b['kind']),
    ...(str(b['ssid']).trim() ? { ssid: str(b['ssid']).trim() } : {}),
    loginMethods: list(b['loginMethods']),
    ...(Object.keys(hours).length ? { openingHours: hours } : {}),
    quota,
  };
}

const hotspotPath = (id: string) => `/admin/hotspots/${encodeURIComponent(id)}`;

export function hotspotRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/hotspots', async (req, res) => {
    const filter = { kecamatan: str(req.query['kecamatan']) || undefined, kind: str(req.query['kind']) || undefined };
    const all = await listHotspots(deps);
    const hotspots = all.filter((h) => (!filter.kecamatan || h.kecamatan === filter.kecamatan) && (!filter.kind || h.kind === filter.kind));
    res.render('admin/hotspots', { hotspots, filter, kecamatan: kecamatanOf(all), canWrite: (h: { id: string; kecamatan: string }) => can(locals(res).actor, 'hotspot.change', h) });
  });

  const editPage = async (res: Response, id: string | null, error: string | null, shownForm: unknown = null, status = 200, shown: { secret?: string; uamSecret?: string; ip?: string } | null = null) => {
    const all = await listHotspots(deps);
    const hotspot = id ? all.find((h) => h.id === id) ?? (await getHotspot(deps, id)) : null;
    const [kecamatan, live, allocation] = await Promise.all([
      kecamatanChoices(deps, all),
      hotspot ? listSessions(deps, { hotspot: hotspot.id }) : Promise.resolve([]),
      hotspot ? hotspotAllocation(deps, hotspot.id) : Promise.resolve(null),
    ]);
    res.status(status).render('admin/hotspot-edit', {
      hotspot, error, form: shownForm, shown, weekdays: WEEKDAYS, live, allocation,
      kecamatan: kecamatan.list,
      kecamatanFixed: kecamatan.fixed,
      canWrite: hotspot ? can(locals(res).actor, 'hotspot.change', hotspot) : can(locals(res).actor, 'change'),
    });
  };
  router.get('/hotspots/new', (_req, res) => editPage(res, null, null));
  router.get('/hotspots/:id', (req, res) => editPage(res, req.params['id']!, null));
  router.post('/hotspots', async (req, res) => {
    const { a, actor } = locals(res);
    const b = form(req);
    const id = str(b['id']).trim();
    await orRefused(res, async () => {
      if (await deps.redis.sismember(deps.keys.hotspots(), id)) throw new AdminError('CONFLICT', `a hotspot "${id}" exists already`).says('hotspotExists', { id });
      const h = await saveHotspot(deps, actor, id, hotspotFromForm(b));
      done(res, hotspotPath(id), fill(a.done.hotspotCreated, { name: h.name }));
    }, (error, status) => editPage(res, null, error, b, status));
  });
  router.post('/hotspots/:id', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const b = form(req);
    const toggle = b['action'] === 'disable' || b['action'] === 'enable';
    await orRefused(res, async () => {
      if (toggle) {
        const disable = b['action'] === 'disable';
        // Checked before a confirmation is asked for, not after.
        const h = await writableHotspot(deps, actor, id);
        const c = a.confirm.disableHotspot;
        if (disable && !confirmed(req, res, { title: fill(c.title, { name: h.name }), body: fill(c.body, { name: h.name, n: h.liveSessions }), button: c.button, back: hotspotPath(id) })) return;
        await setHotspotDisabled(deps, actor, id, disable);
        return done(res, hotspotPath(id), fill(disable ? a.done.hotspotDisabled : a.done.hotspotEnabled, { name: h.name }));
      }
      const h = await saveHotspot(deps, actor, id, hotspotFromForm(b));
      done(res, hotspotPath(id), fill(a.done.hotspotSaved, { name: h.name }));
    }, (error, status) => editPage(res, id, error, toggle ? null : b, status));
  });
  router.post('/hotspots/:id/nas', async (req, res) => {
    const id = req.params['id']!;
    const b = form(req);
    await orRefused(res, async () => {
      const input = {
        type: str(b['type']), ip: str(b['ip']).trim(), identifier: str(b['identifier']).trim(), coaPort: num(b['coaPort']) || 3799,
        rateChange: str(b['rateChange']) || 'coa', requireMessageAuthenticator: b['requireMessageAuthenticator'] === 'on',
        limitProxyState: b['limitProxyState'] === 'on', ...(str(b['loginHost']).trim() ? { loginHost: str(b['loginHost']).trim() } : {}),
      };
      const shown = await addNas(deps, locals(res).actor, id, input);
      await editPage(res, id, null, null, 200, { ...shown, ip: input.ip });
    }, (error, status) => editPage(res, id, error, null, status));
  });
  router.post('/hotspots/:id/nas/remove', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const ip = str(form(req)['ip']);
    await orRefused(res, async () => {
      const n = await nasSecret(deps, actor, ip);
      const h = await getHotspot(deps, n.hotspotId);
      const c = a.confirm.removeRouter;
      if (!confirmed(req, res, { title: fill(c.title, { identifier: n.identifier, name: h.name }), body: fill(c.body, { ip: n.ip }), button: c.button, back: hotspotPath(id) })) return;
      await removeNas(deps, actor, ip);
      done(res, hotspotPath(id), fill(a.done.routerRemoved, { identifier: n.identifier, ip: n.ip, name: h.name }));
    }, (error, status) => editPage(res, id, error, null, status));
  });
  router.get('/hotspots/:id/router/:ip/limpah-setup.rsc', async (req, res) => {
    const nas = await nasSecret(deps, locals(res).actor, req.params['ip']!);
    const hotspot = await getHotspot(deps, nas.hotspotId);
    res.type('text/plain; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="limpah-${hotspot.id}.rsc"`);
    res.send(routerOsScript({ hotspot, nas, publicUrl: deps.publicUrl, radius: deps.radius ?? DEFAULT_RADIUS_ENDPOINT }));
  });
  router.get('/hotspots/:id/login.html', async (req, res) => {
    const hotspot = await getHotspot(deps, req.params['id']!);
    res.type('text/html; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="login.html"');
    res.send(loginHtmlFor(hotspot.id, deps.publicUrl));
  });
  return router;
}
