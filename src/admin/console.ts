import { Router, type NextFunction, type Request, type Response } from 'express';
import { renderQrSvg } from './qr';
import { formatCode, normalizeCode } from '../vouchers/codes';
import { auditChanges, readAudit } from './audit';
import { consoleSession, createAdminApiKey, csrfOk, listAdminApiKeys, login, logout, revokeAdminApiKey, SESSION_COOKIE, type ConsoleSession } from './auth';
import { ADMIN_MESSAGES, type AdminMessages } from './i18n';
import { cookies } from '../cookies';
import { buildReport, dayToIso, isoToDay, lineChart, poolHistory, poolOverview, reportCsv, toCsv, wib, wibDay } from './insight';
import { canWriteHotspot, canWriteSomething, getOperator, isAdmin, listOperators, ROLES, updateOperator, type Actor, type Role } from './operators';
import { passwordProblem, verifyPassword } from './passwords';
import { loginHtmlFor, routerOsScript } from './router-config';
import {
  addNas, AdminError, batchVouchers, blockDevice, createTelemetryKey, createVoucherBatch, disconnectSession, getHotspot, listAgencies, listBatches,
  listHotspots, listSessions, nasSecret, removeNas, revokeBatch, revokeTelemetryKey, revokeVoucherCode, saveHotspot, setAgencyCommitted,
  setHotspotDisabled, unblockDevice, listTelemetryKeys, canUseBatch, maskCode, kecamatanOf, createOperatorAccount, changeOperator, type AdminDeps,
} from './service';
import { audit } from './audit';

/**
 * The admin console at /admin: server-rendered pages and plain forms (they work without JavaScript), every form
 * with the session's CSRF token, every change through the service layer (role, scope, audit). Bahasa Indonesia by
 * default, English by choice (a cookie remembers it).
 */

export interface ConsoleDeps extends AdminDeps {
  readonly publicUrl: string;
}

const LANG_COOKIE = 'limpah_admin_lang';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

type Locals = { a: AdminMessages; session: ConsoleSession; actor: Actor };

function locals(res: Response): Locals {
  return res.locals as unknown as Locals;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
/** A list from a multiple select (an array, or one string) or a text field (comma- or line-separated). */
function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[,\n]+/) : [];
  return items.map((x) => String(x).trim()).filter(Boolean);
}
function num(v: unknown): number {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

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
    loginMethods: list(b['loginMethods']),
    ...(Object.keys(hours).length ? { openingHours: hours } : {}),
    quota,
  };
}

export function consoleRouter(deps: ConsoleDeps): Router {
  const router = Router();

  // Language, then the session: everything below /admin except the sign-in page needs one.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const chosen = req.query['lang'] === 'en' || req.query['lang'] === 'id' ? req.query['lang'] : cookies(req)[LANG_COOKIE];
    if (req.query['lang'] === 'en' || req.query['lang'] === 'id') res.cookie(LANG_COOKIE, req.query['lang'], { httpOnly: true, sameSite: 'strict', path: '/admin', maxAge: 365 * 86_400_000 });
    const lang = chosen === 'en' ? 'en' : chosen === 'id' ? 'id' : (req.get('accept-language') ?? '').toLowerCase().startsWith('en') ? 'en' : 'id';
    res.locals['a'] = ADMIN_MESSAGES[lang];
    res.locals['wib'] = wib;
    res.locals['t'] = { lang };
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/login', (req, res) => res.render('admin/login', { error: null, username: '' }));
  router.post('/login', async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const username = str(b['username']).trim().toLowerCase();
    const r = await login(deps.redis, deps.keys, username, str(b['password']), req.ip ?? '');
    const a = locals(res).a;
    if (!r.ok && r.reason === 'throttled') {
      // The limit hit tells the user what to do: wait here, or wait and tell another admin that someone is guessing.
      req.log?.warn({ username: username.slice(0, 64), ip: req.ip, limit: r.limit }, 'console sign-in throttled');
      const minutes = Math.ceil(r.retryAfterMs / 60_000);
      res.setHeader('Retry-After', String(Math.ceil(r.retryAfterMs / 1000)));
      return res.status(429).render('admin/login', { error: a.throttled[r.limit].replace('{minutes}', String(minutes)), username });
    }
    if (!r.ok) return res.status(401).render('admin/login', { error: a.badCredentials, username });
    res.cookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure });
    res.redirect(303, '/admin');
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const session = await consoleSession(deps.redis, deps.keys, req);
    if (!session) return res.redirect(303, '/admin/login');
    res.locals['session'] = session;
    res.locals['actor'] = session.actor;
    res.locals['csrf'] = session.csrf;
    res.locals['path'] = req.path;
    res.locals['msg'] = typeof req.query['msg'] === 'string' ? req.query['msg'].slice(0, 300) : null;
    req.body ??= {};
    if (req.method === 'POST' && !csrfOk(session, (req.body as Record<string, unknown>)['_csrf'])) {
      return res.status(403).render('admin/message', { title: locals(res).a.badCsrf, body: '' });
    }
    // A viewer changes nothing: every form but sign-out is refused before it reaches its route.
    if (req.method === 'POST' && req.path !== '/logout' && req.path !== '/account' && !canWriteSomething(session.actor)) {
      return res.status(403).render('admin/message', { title: locals(res).a.forbidden, body: `${session.actor.name}: ${locals(res).a.roles.viewer}` });
    }
    next();
  });

  // Any signed-in operator, viewers too, changes their own password; every session of the account ends.
  router.get('/account', (_req, res) => res.render('admin/account', { error: null }));
  router.post('/account', async (req, res) => {
    const a = locals(res).a;
    const actor = locals(res).actor;
    const b = req.body as Record<string, unknown>;
    const op = await getOperator(deps.redis, deps.keys, actor.name);
    if (!op || !(await verifyPassword(str(b['current']), op.passwordHash))) return res.status(400).render('admin/account', { error: a.account.wrongCurrent });
    const problem = passwordProblem(str(b['password']));
    if (problem) return res.status(400).render('admin/account', { error: `${a.password}: ${problem}` });
    if (str(b['password']) !== str(b['confirm'])) return res.status(400).render('admin/account', { error: a.account.mismatch });
    await updateOperator(deps.redis, deps.keys, actor.name, { password: str(b['password']) });
    await audit(deps.redis, deps.keys, actor, 'operator.password', `operator:${actor.name}`, null, null);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/admin/login');
  });

  router.post('/logout', async (_req, res) => {
    await logout(deps.redis, deps.keys, locals(res).session.token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/admin/login');
  });

  // ------------------------------------------------------------------------------------------------ dashboard
  router.get('/', async (_req, res) => {
    const a = locals(res).a;
    const [overview, history] = await Promise.all([poolOverview(deps), poolHistory(deps.redis, deps.keys)]);
    const toMs = overview.atMs;
    const fromMs = toMs - 24 * 3600_000;
    const capacityChart = lineChart({
      title: a.dashboard.chartCapacity, unit: 'Mbps', fromMs, toMs,
      series: [
        { label: a.dashboard.capacity, color: '#0b5d3b', points: history.map((s) => [s.t, s.capDownKbps / 1000] as const) },
        { label: a.dashboard.allocation, color: '#c2410c', points: history.map((s) => [s.t, s.allocDownKbps / 1000] as const) },
      ],
    });
    const sessionsChart = lineChart({
      title: a.dashboard.chartSessions, unit: a.col.sessions.toLowerCase(), fromMs, toMs,
      series: [{ label: a.col.sessions, color: '#0b4f8a', points: history.map((s) => [s.t, s.sessions] as const) }],
    });
    res.render('admin/dashboard', { overview, capacityChart, sessionsChart });
  });

  // ------------------------------------------------------------------------------------------------ hotspots
  router.get('/hotspots', async (req, res) => {
    const filter = { kecamatan: str(req.query['kecamatan']) || undefined, kind: str(req.query['kind']) || undefined };
    const all = await listHotspots(deps);
    const hotspots = all.filter((h) => (!filter.kecamatan || h.kecamatan === filter.kecamatan) && (!filter.kind || h.kind === filter.kind));
    res.render('admin/hotspots', { hotspots, filter, kecamatan: kecamatanOf(all), canWrite: (h: { id: string; kecamatan: string }) => canWriteHotspot(locals(res).actor, h) });
  });

  const editPage = async (res: Response, id: string | null, error: string | null, form: unknown = null, status = 200, shown: { secret?: string; uamSecret?: string; ip?: string } | null = null) => {
    const all = await listHotspots(deps);
    const hotspot = id ? all.find((h) => h.id === id) ?? (await getHotspot(deps, id)) : null;
    res.status(status).render('admin/hotspot-edit', {
      hotspot, error, form, shown, weekdays: WEEKDAYS,
      kecamatan: kecamatanOf(all),
      canWrite: hotspot ? canWriteHotspot(locals(res).actor, hotspot) : canWriteSomething(locals(res).actor),
    });
  };
  router.get('/hotspots/new', (_req, res) => editPage(res, null, null));
  router.get('/hotspots/:id', (req, res) => editPage(res, req.params['id']!, null));
  router.post('/hotspots', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    const id = str(b['id']).trim();
    try {
      if (await deps.redis.sismember(deps.keys.hotspots(), id)) throw new AdminError('CONFLICT', `a hotspot "${id}" exists already`);
      await saveHotspot(deps, locals(res).actor, id, hotspotFromForm(b));
      res.redirect(303, `/admin/hotspots/${encodeURIComponent(id)}?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, null, err.message, b, err.status);
    }
  });
  router.post('/hotspots/:id', async (req, res) => {
    const id = req.params['id']!;
    const b = req.body as Record<string, unknown>;
    try {
      if (b['action'] === 'disable' || b['action'] === 'enable') await setHotspotDisabled(deps, locals(res).actor, id, b['action'] === 'disable');
      else await saveHotspot(deps, locals(res).actor, id, hotspotFromForm(b));
      res.redirect(303, `/admin/hotspots/${encodeURIComponent(id)}?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, id, err.message, b, err.status);
    }
  });
  router.post('/hotspots/:id/nas', async (req, res) => {
    const id = req.params['id']!;
    const b = req.body as Record<string, unknown>;
    try {
      const input = {
        type: str(b['type']), ip: str(b['ip']).trim(), identifier: str(b['identifier']).trim(), coaPort: num(b['coaPort']) || 3799,
        rateChange: str(b['rateChange']) || 'coa', requireMessageAuthenticator: b['requireMessageAuthenticator'] === 'on',
        limitProxyState: b['limitProxyState'] === 'on', ...(str(b['loginHost']).trim() ? { loginHost: str(b['loginHost']).trim() } : {}),
      };
      const shown = await addNas(deps, locals(res).actor, id, input);
      await editPage(res, id, null, null, 200, { ...shown, ip: input.ip });
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, id, err.message, null, err.status);
    }
  });
  router.post('/hotspots/:id/nas/remove', async (req, res) => {
    const id = req.params['id']!;
    try {
      await removeNas(deps, locals(res).actor, str((req.body as Record<string, unknown>)['ip']));
      res.redirect(303, `/admin/hotspots/${encodeURIComponent(id)}?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, id, err.message, null, err.status);
    }
  });
  router.get('/hotspots/:id/router/:ip/limpah-setup.rsc', async (req, res) => {
    const nas = await nasSecret(deps, locals(res).actor, req.params['ip']!);
    const hotspot = await getHotspot(deps, nas.hotspotId);
    res.type('text/plain; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="limpah-${hotspot.id}.rsc"`);
    const radiusAddress = str(req.query['radius']) || new URL(deps.publicUrl).hostname;
    if (!/^[A-Za-z0-9.:-]{1,253}$/.test(radiusAddress)) throw new AdminError('INVALID', 'radius: an IP address or host name');
    res.send(routerOsScript({ hotspot, nas, publicUrl: deps.publicUrl, radiusAddress }));
  });
  router.get('/hotspots/:id/login.html', async (req, res) => {
    const hotspot = await getHotspot(deps, req.params['id']!);
    res.type('text/html; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="login.html"');
    res.send(loginHtmlFor(hotspot.id, deps.publicUrl));
  });

  // ------------------------------------------------------------------------------------------------ sessions
  router.get('/sessions', async (req, res) => {
    const filter = { hotspot: str(req.query['hotspot']) || undefined, kecamatan: str(req.query['kecamatan']) || undefined, mac: str(req.query['mac']) || undefined };
    const [sessions, hotspots] = await Promise.all([listSessions(deps, filter), listHotspots(deps)]);
    res.render('admin/sessions', { sessions, filter, hotspots, kecamatan: kecamatanOf(hotspots), canWrite: (hotspotId: string) => { const h = hotspots.find((x) => x.id === hotspotId); return Boolean(h && canWriteHotspot(locals(res).actor, h)); } });
  });
  router.post('/sessions/:id/disconnect', async (req, res) => {
    try {
      await disconnectSession(deps, locals(res).actor, req.params['id']!);
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(locals(res).a.sessions.disconnected)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(err.message)}`);
    }
  });
  router.post('/devices/block', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const r = await blockDevice(deps, locals(res).actor, { mac: str(b['mac']), minutes: num(b['minutes']), reason: str(b['reason']) });
      const until = wib(r.until);
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(locals(res).a.sessions.blocked.replace('{until}', `${until} WIB`).replace('{n}', String(r.disconnected)))}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(err.message)}`);
    }
  });
  router.post('/devices/unblock', async (req, res) => {
    try {
      await unblockDevice(deps, locals(res).actor, str((req.body as Record<string, unknown>)['mac']));
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      res.redirect(303, `/admin/sessions?msg=${encodeURIComponent(err.message)}`);
    }
  });

  // ------------------------------------------------------------------------------------------------ vouchers
  const vouchersPage = async (res: Response, error: string | null, status = 200) => {
    const [batches, hotspots] = await Promise.all([listBatches(deps.redis, deps.keys), listHotspots(deps)]);
    res.status(status).render('admin/vouchers', { batches, hotspots, kecamatan: kecamatanOf(hotspots), error });
  };
  router.get('/vouchers', (_req, res) => vouchersPage(res, null));
  router.post('/vouchers', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const r = await createVoucherBatch(deps, locals(res).actor, {
        count: num(b['count']), validityHours: num(b['validityHours']), deviceLimit: num(b['deviceLimit']), quotaMB: num(b['quotaMB']),
        redeemDays: num(b['redeemDays']) || 90, hotspots: list(b['hotspots']), kecamatan: list(b['kecamatan']), note: str(b['note']),
      });
      const msg = locals(res).a.vouchers.created.replace('{n}', String(r.codes.length)).replace('{batch}', r.batch);
      res.redirect(303, `/admin/vouchers/${encodeURIComponent(r.batch)}?msg=${encodeURIComponent(msg)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await vouchersPage(res, err.message, err.status);
    }
  });
  const batchOf = async (batch: string) => {
    const b = (await listBatches(deps.redis, deps.keys)).find((x) => x.batch === batch);
    if (!b) throw new AdminError('NOT_FOUND', `no batch ${batch}`);
    return b;
  };
  router.get('/vouchers/:batch', async (req, res) => {
    const batch = await batchOf(req.params['batch']!);
    const usable = await canUseBatch(deps, locals(res).actor, batch.batch);
    res.render('admin/voucher-batch', { batch, usable, vouchers: await batchVouchers(deps.redis, deps.keys, batch.batch), formatCode: usable ? formatCode : maskCode });
  });
  // Codes are credentials: printing and exporting them is for who may change the batch.
  const usableBatch = async (req: Request, res: Response) => {
    const batch = await batchOf(String(req.params['batch']));
    if (!(await canUseBatch(deps, locals(res).actor, batch.batch))) throw new AdminError('FORBIDDEN', `${locals(res).actor.name} may not print or export batch ${batch.batch}`);
    return batch;
  };
  router.get('/vouchers/:batch/print', async (req, res) => {
    const batch = await usableBatch(req, res);
    const vouchers = (await batchVouchers(deps.redis, deps.keys, batch.batch)).filter((v) => v.status === 'unused');
    res.render('admin/voucher-sheet', {
      batch,
      cards: vouchers.map((v) => ({ code: formatCode(v.code), qr: renderQrSvg(`${deps.publicUrl}/v/${formatCode(v.code)}`) })),
    });
  });
  router.get('/vouchers/:batch/csv', async (req, res) => {
    const batch = await usableBatch(req, res);
    const vouchers = await batchVouchers(deps.redis, deps.keys, batch.batch);
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="vouchers-${batch.batch}.csv"`);
    res.send(toCsv(
      ['code', 'qr_link', 'status', 'validity_hours', 'quota_mb', 'device_limit', 'devices_used', 'mb_used', 'first_used_wib', 'first_hotspot', 'last_used_wib', 'last_hotspot', 'hotspots', 'note'],
      vouchers.map((v) => [
        formatCode(v.code), `${deps.publicUrl}/v/${formatCode(v.code)}`, v.status, v.validityMinutes / 60, v.quotaMB, v.deviceLimit, v.devices,
        Math.round(v.usedBytes / 1048576), v.firstUsedAt ? wib(v.firstUsedAt) : '', v.firstHotspot ?? '', v.lastUsedAt ? wib(v.lastUsedAt) : '',
        v.lastHotspot ?? '', v.hotspots.join(' '), v.note,
      ]),
    ));
  });
  router.post('/vouchers/:batch/revoke', async (req, res) => {
    const batch = req.params['batch']!;
    const typed = str((req.body as Record<string, unknown>)['code']);
    if (typed) {
      const code = normalizeCode(typed);
      if (!code) throw new AdminError('NOT_FOUND', `no voucher ${typed}`);
      await revokeVoucherCode(deps, locals(res).actor, code);
    }
    else await revokeBatch(deps, locals(res).actor, batch);
    res.redirect(303, `/admin/vouchers/${encodeURIComponent(batch)}?msg=${encodeURIComponent(locals(res).a.saved)}`);
  });

  // ------------------------------------------------------------------------------------------------ agencies
  const agenciesPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    const [agencies, keys] = await Promise.all([listAgencies(deps), listTelemetryKeys(deps)]);
    res.status(status).render('admin/agencies', { agencies, keys, error, shownKey });
  };
  router.get('/agencies', (_req, res) => agenciesPage(res, null));
  router.post('/agencies/:id', async (req, res) => {
    try {
      await setAgencyCommitted(deps, locals(res).actor, req.params['id']!, num((req.body as Record<string, unknown>)['committedKbps']));
      res.redirect(303, `/admin/agencies?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await agenciesPage(res, err.message, null, err.status);
    }
  });
  router.post('/telemetry-keys', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const key = await createTelemetryKey(deps, locals(res).actor, str(b['name']).trim(), list(b['agencies']));
      await agenciesPage(res, null, key);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await agenciesPage(res, err.message, null, err.status);
    }
  });
  router.post('/telemetry-keys/:id/revoke', async (req, res) => {
    await revokeTelemetryKey(deps, locals(res).actor, req.params['id']!);
    res.redirect(303, `/admin/agencies?msg=${encodeURIComponent(locals(res).a.saved)}`);
  });

  // ------------------------------------------------------------------------------------------------ reports
  router.get('/reports', async (req, res) => {
    const today = wibDay(Date.now());
    const to = isoToDay(str(req.query['to'])) ?? today;
    const from = isoToDay(str(req.query['from'])) ?? to - 6;
    const report = await buildReport(deps, Math.min(from, to), to);
    if (req.query['format'] === 'csv') {
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="limpah-${report.from}-${report.to}.csv"`);
      res.send(reportCsv(report));
      return;
    }
    res.render('admin/reports', { report, from: dayToIso(Math.min(from, to)), to: dayToIso(to) });
  });

  // ------------------------------------------------------------------------------------------------ audit
  router.get('/audit', async (req, res) => {
    const filter = { actor: str(req.query['actor']) || undefined, action: str(req.query['action']) || undefined, target: str(req.query['target']) || undefined };
    res.render('admin/audit', { entries: await readAudit(deps.redis, deps.keys, { ...filter, limit: 200 }), filter, auditChanges });
  });

  // ------------------------------------------------------------------------------------------------ operators
  const operatorsPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    if (!isAdmin(locals(res).actor)) throw new AdminError('FORBIDDEN', locals(res).a.forbidden);
    const [operators, apiKeys, hotspots] = await Promise.all([listOperators(deps.redis, deps.keys), listAdminApiKeys(deps.redis, deps.keys), listHotspots(deps)]);
    res.status(status).render('admin/operators', { operators, apiKeys, roles: ROLES, error, shownKey, kecamatan: kecamatanOf(hotspots) });
  };
  router.get('/operators', (_req, res) => operatorsPage(res, null));
  const scopeFields = (b: Record<string, unknown>) => ({ kecamatan: list(b['scopeKecamatan']), hotspots: list(b['scopeHotspots']) });
  router.post('/operators', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      await createOperatorAccount(deps, locals(res).actor, {
        username: str(b['username']).trim(), name: str(b['name']), role: str(b['role']), scope: scopeFields(b), password: str(b['password']),
      });
      res.redirect(303, `/admin/operators?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, err.message, null, err.status);
    }
  });
  router.post('/operators/:username', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const password = str(b['password']);
      await changeOperator(deps, locals(res).actor, String(req.params['username']), {
        role: str(b['role']), scope: scopeFields(b), disabled: b['disabled'] === 'on', ...(password ? { password } : {}),
      });
      res.redirect(303, `/admin/operators?msg=${encodeURIComponent(locals(res).a.saved)}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, err.message, null, err.status);
    }
  });
  router.post('/api-keys', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const key = await createAdminApiKey(deps.redis, deps.keys, locals(res).actor, { name: str(b['name']).trim(), role: str(b['role']) as Role, scope: scopeFields(b) });
      await operatorsPage(res, null, key);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, err.message, null, err.status);
    }
  });
  router.post('/api-keys/:id/revoke', async (req, res) => {
    await revokeAdminApiKey(deps.redis, deps.keys, locals(res).actor, req.params['id']!);
    res.redirect(303, `/admin/operators?msg=${encodeURIComponent(locals(res).a.saved)}`);
  });

  // ------------------------------------------------------------------------------------------------ errors
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AdminError)) return next(err);
    res.status(err.status).render('admin/message', { title: err.code === 'FORBIDDEN' ? locals(res).a.forbidden : err.message, body: err.code === 'FORBIDDEN' ? err.message : '' });
  });

  return router;
}
