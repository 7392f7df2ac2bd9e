import { Router, type Request, type Response } from 'express';
import { normalizeMac } from '../../mac';
import { can } from '../policy';
import { fill } from '../problems';
import { blockDevice, disconnectSession, kecamatanOf, listBlocks, listHotspots, listSessions, liveSession, unblockDevice } from '../service';
import { confirmed, done, form, locals, num, orRefused, str, type ConsoleDeps } from './common';

/** The console's live sessions and blocked devices: disconnect a session, block a device, lift a block. */

export function sessionRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  const sessionsPage = async (req: Request, res: Response, error: string | null = null, status = 200) => {
    const { a, actor } = locals(res);
    const filter = { hotspot: str(req.query['hotspot']) || undefined, kecamatan: str(req.query['kecamatan']) || undefined, mac: str(req.query['mac']) || undefined };
    const [sessions, hotspots, blocks] = await Promise.all([listSessions(deps, filter), listHotspots(deps), listBlocks(deps)]);
    res.status(status).render('admin/sessions', {
      sessions, filter, hotspots, blocks, error, kecamatan: kecamatanOf(hotspots),
      hotspotName: (id: string) => hotspots.find((h) => h.id === id)?.name ?? fill(a.sessions.hotspotGone, { id }),
      canWrite: (hotspotId: string) => { const h = hotspots.find((x) => x.id === hotspotId); return Boolean(h && can(actor, 'hotspot.change', h)); },
    });
  };
  const refusedOnPage = (req: Request, res: Response) => (error: string, status: number) => sessionsPage(req, res, error, status);

  router.get('/sessions', (req, res) => sessionsPage(req, res));
  router.post('/sessions/:id/disconnect', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    await orRefused(res, async () => {
      // Checked before a confirmation is asked for, and again by the service when it acts.
      const { mac, hotspot } = await liveSession(deps, actor, id);
      const c = a.confirm.disconnect;
      if (!confirmed(req, res, { title: fill(c.title, { mac }), body: fill(c.body, { mac, hotspot: hotspot.name }), button: c.button, back: '/admin/sessions' })) return;
      const result = await disconnectSession(deps, actor, id);
      done(res, '/admin/sessions', fill(result === 'disconnected' ? a.done.sessionDisconnected : a.done.sessionGone, { mac, hotspot: hotspot.name }));
    }, refusedOnPage(req, res));
  });
  router.post('/devices/block', async (req, res) => {
    const { a, fmt, actor } = locals(res);
    const b = form(req);
    await orRefused(res, async () => {
      const r = await blockDevice(deps, actor, { mac: str(b['mac']), minutes: num(b['minutes']), reason: str(b['reason']) });
      const values = { mac: r.mac, until: fmt.when(r.until), n: r.disconnected, failed: r.failed };
      done(res, '/admin/sessions', fill(r.failed ? a.done.deviceBlockedUnconfirmed : a.done.deviceBlocked, values));
    }, refusedOnPage(req, res));
  });
  router.post('/devices/unblock', async (req, res) => {
    const { a, actor } = locals(res);
    const mac = str(form(req)['mac']);
    await orRefused(res, async () => {
      await unblockDevice(deps, actor, mac);
      done(res, '/admin/sessions', fill(a.done.deviceUnblocked, { mac: normalizeMac(mac) ?? mac }));
    }, refusedOnPage(req, res));
  });
  return router;
}
