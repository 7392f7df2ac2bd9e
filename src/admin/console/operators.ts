import { Router, type Response } from 'express';
import { ROLES, type Role } from '../operators';
import { can } from '../policy';
import { fill } from '../problems';
import {
  AdminError, changeOperator, createAdminApiKey, createOperatorAccount, kecamatanChoices, listAdminApiKeys, listHotspots, listOperatorAccounts, revokeAdminApiKey,
} from '../service';
import { confirmed, done, form, list, locals, orRefused, str, type ConsoleDeps } from './common';

/** The console's operators (admins only): accounts, roles and scopes, and script API keys. */

const scopeFields = (b: Record<string, unknown>) => ({ kecamatan: list(b['scopeKecamatan']), hotspots: list(b['scopeHotspots']) });

export function operatorRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  const operatorsPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    const actor = locals(res).actor;
    if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may manage operators').says('adminOnly');
    const [operators, apiKeys, hotspots] = await Promise.all([listOperatorAccounts(deps, actor), listAdminApiKeys(deps.redis, deps.keys), listHotspots(deps)]);
    const kecamatan = await kecamatanChoices(deps, hotspots);
    res.status(status).render('admin/operators', {
      operators, apiKeys, roles: ROLES, error, shownKey, kecamatan: kecamatan.list, hotspots,
      scopeText: (scope: { kecamatan: readonly string[]; hotspots: readonly string[] }) =>
        [...scope.kecamatan.map((k) => `Kec. ${k}`), ...scope.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id)].join(', '),
    });
  };
  const refusedOnPage = (res: Response) => (error: string, status: number) => operatorsPage(res, error, null, status);

  router.get('/operators', (_req, res) => operatorsPage(res, null));
  router.post('/operators', async (req, res) => {
    const { a, actor } = locals(res);
    const b = form(req);
    await orRefused(res, async () => {
      const username = await createOperatorAccount(deps, actor, {
        username: str(b['username']).trim(), name: str(b['name']), role: str(b['role']), scope: scopeFields(b), password: str(b['password']),
      });
      done(res, '/admin/operators', fill(a.done.operatorCreated, { username }));
    }, refusedOnPage(res));
  });
  router.post('/operators/:username', async (req, res) => {
    const { a, actor } = locals(res);
    const b = form(req);
    const username = String(req.params['username']);
    await orRefused(res, async () => {
      const password = str(b['password']);
      await changeOperator(deps, actor, username, {
        role: str(b['role']), scope: scopeFields(b), disabled: b['disabled'] === 'on', ...(password ? { password } : {}),
      });
      done(res, '/admin/operators', fill(a.done.operatorSaved, { username }));
    }, refusedOnPage(res));
  });
  router.post('/api-keys', async (req, res) => {
    const b = form(req);
    await orRefused(res, async () => {
      const key = await createAdminApiKey(deps.redis, deps.keys, locals(res).actor, { name: str(b['name']).trim(), role: (str(b['role']) || 'viewer') as Role, scope: scopeFields(b) });
      await operatorsPage(res, null, key);
    }, refusedOnPage(res));
  });
  router.post('/api-keys/:id/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    // Checked before a confirmation is asked for, and again by the service when it acts.
    if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
    const key = (await listAdminApiKeys(deps.redis, deps.keys)).find((k) => k.id === req.params['id']);
    if (!key) throw new AdminError('NOT_FOUND', `no API key ${req.params['id']}`).says('noKey', { id: req.params['id']! });
    const c = a.confirm.revokeApiKey;
    if (!confirmed(req, res, { title: fill(c.title, { name: key.name }), body: c.body, button: c.button, back: '/admin/operators' })) return;
    await revokeAdminApiKey(deps.redis, deps.keys, actor, key.id);
    done(res, '/admin/operators', fill(a.done.apiKeyRevoked, { name: key.name }));
  });
  return router;
}
