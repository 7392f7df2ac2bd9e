import { Router, type Response } from 'express';
import { fill } from '../problems';
import { AdminError, createTelemetryKey, listAgencies, listTelemetryKeys, revokeTelemetryKey, setAgencyCommitted } from '../service';
import { can } from '../policy';
import { basisText, confirmed, done, form, list, locals, num, orRefused, str, type ConsoleDeps } from './common';

/** The console's agencies: committed rate (an admin changes it), usage and claim; telemetry keys for the usage push. */

export function agencyRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  const agenciesPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    const [agencies, keys] = await Promise.all([listAgencies(deps), listTelemetryKeys(deps)]);
    const agencyName = (id: string) => agencies.find((g) => g.id === id)?.name ?? id;
    res.status(status).render('admin/agencies', { agencies, keys, error, shownKey, agencyName, basisText: await basisText(deps, res) });
  };
  const refusedOnPage = (res: Response) => (error: string, status: number) => agenciesPage(res, error, null, status);

  router.get('/agencies', (_req, res) => agenciesPage(res, null));
  router.post('/agencies/:id', async (req, res) => {
    const { a, fmt, actor } = locals(res);
    await orRefused(res, async () => {
      const committedKbps = num(form(req)['committedKbps']);
      await setAgencyCommitted(deps, actor, req.params['id']!, committedKbps);
      const name = (await listAgencies(deps)).find((g) => g.id === req.params['id'])?.name ?? req.params['id']!;
      done(res, '/admin/agencies', fill(a.done.agencySaved, { name, kbps: fmt.kbps(committedKbps) }));
    }, refusedOnPage(res));
  });
  router.post('/telemetry-keys', async (req, res) => {
    const b = form(req);
    await orRefused(res, async () => {
      const key = await createTelemetryKey(deps, locals(res).actor, str(b['name']).trim(), list(b['agencies']));
      await agenciesPage(res, null, key);
    }, refusedOnPage(res));
  });
  router.post('/telemetry-keys/:id/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    // Checked before a confirmation is asked for, and again by the service when it acts.
    if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
    const key = (await listTelemetryKeys(deps)).find((k) => k.id === req.params['id']);
    if (!key) throw new AdminError('NOT_FOUND', `no API key ${req.params['id']}`).says('noKey', { id: req.params['id']! });
    const c = a.confirm.revokeTelemetryKey;
    if (!confirmed(req, res, { title: fill(c.title, { name: key.name }), body: c.body, button: c.button, back: '/admin/agencies' })) return;
    await revokeTelemetryKey(deps, actor, key.id);
    done(res, '/admin/agencies', fill(a.done.telemetryKeyRevoked, { name: key.name }));
  });
  return router;
}
