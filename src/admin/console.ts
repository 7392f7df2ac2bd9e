import { Router, type NextFunction, type Request, type Response } from 'express';
import { renderQrSvg } from './qr';
import { formatCode, normalizeCode } from '../vouchers/codes';
import { readAudit } from './audit';
import { consoleSession, createAdminApiKey, csrfOk, listAdminApiKeys, login, logout, revokeAdminApiKey, SESSION_COOKIE, type ConsoleSession } from './auth';
import { ADMIN_MESSAGES, type AdminMessages } from './i18n';
import { cookies } from '../cookies';
import { FORMATTERS, type Formatter } from './format';
import { buildReport, CHART_RANGES, dayToIso, downsample, historyStart, isoToDay, lineChart, poolHistory, poolOverview, reportCsv, toCsv, wib, wibDay, type ChartRange } from './insight';
import { errorText, fill } from './problems';
import { canWriteHotspot, canWriteSomething, getOperator, isAdmin, listOperators, ROLES, updateOperator, type Actor, type Role } from './operators';
import { passwordProblem, verifyPassword } from './passwords';
import { DEFAULT_RADIUS_ENDPOINT, loginHtmlFor, routerOsScript } from './router-config';
import {
  addNas, AdminError, batchVouchers, blockDevice, createTelemetryKey, createVoucherBatch, disconnectSession, getHotspot, listAgencies, listBatches,
  listHotspots, listSessions, nasSecret, removeNas, revokeBatch, revokeTelemetryKey, revokeVoucherCode, saveHotspot, setAgencyCommitted,
  setHotspotDisabled, unblockDevice, listTelemetryKeys, canUseBatch, maskCode, kecamatanOf, createOperatorAccount, changeOperator, type AdminDeps,
  kecamatanChoices, listBlocks, hotspotAllocation, type HotspotView,
} from './service';
import { audit } from './audit';
import { isGrantUsername } from '../grants/grants';
import { normalizeMac } from '../mac';
import { getVoucher } from '../vouchers/store';
import { auditRows, targetMatches } from './audit-view';

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

type Locals = { a: AdminMessages; fmt: Formatter; session: ConsoleSession; actor: Actor };

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

/** Back to a page after a change, with what happened in its flash. */
function done(res: Response, path: string, text: string): void {
  res.redirect(303, `${path}${path.includes('?') ? '&' : '?'}msg=${encodeURIComponent(text)}`);
}

/**
 * The step before a destructive action: without `confirmed=1` in the form the action is not done; a page says what
 * it will do and posts the same fields again with the confirmation, or goes back. A page rather than
 * window.confirm(): it works without JavaScript (the CSP runs scripts only by nonce, and the console needs none),
 * it can say what the click will do in a sentence, a screen reader meets it as a page with a heading, and the
 * keyboard reaches both choices. Returns whether the action may go ahead.
 */
function confirmed(req: Request, res: Response, page: { title: string; body: string; button: string; back: string }): boolean {
  const b = req.body as Record<string, unknown>;
  if (b['confirmed'] === '1') return true;
  const fields = Object.entries(b).filter(([k, v]) => k !== '_csrf' && k !== 'confirmed' && typeof v === 'string') as Array<[string, string]>;
  res.render('admin/confirm', { ...page, action: req.originalUrl.split('?')[0], fields });
  return false;
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
    ...(str(b['ssid']).trim() ? { ssid: str(b['ssid']).trim() } : {}),
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
    res.locals['fmt'] = FORMATTERS[lang];
    res.locals['fill'] = fill;
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
      return res.status(403).render('admin/message', { title: locals(res).a.forbidden, body: locals(res).a.errors.viewerReadOnly });
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
    if (problem) return res.status(400).render('admin/account', { error: str(b['password']).length < 12 ? a.errors.passwordShort : a.errors.passwordLong });
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

  /** Agencies' names by id, straight from the site's record (no capacity refresh, as listAgencies does). */
  const agencyNames = async (): Promise<Map<string, string>> =>
    new Map(Object.entries(await deps.redis.hgetall(deps.keys.agencies())).map(([id, json]) => [id, (JSON.parse(json) as { name?: string }).name ?? id]));
  /** How an agency's claim was worked out, in words ("di luar jam kerja, dihitung 20% dari komitmen"). */
  const basisText = async (res: Response) => {
    const { a, fmt } = locals(res);
    const fraction = Number((await deps.redis.hget(deps.keys.site(), 'outsideOfficeFraction')) ?? 0.2);
    return (basis: string) => fill((a.basis as Record<string, string>)[basis] ?? basis, { pct: fmt.num(fraction * 100, 0) });
  };

  // ------------------------------------------------------------------------------------------------ dashboard
  router.get('/', async (req, res) => {
    const { a, fmt } = locals(res);
    const [overview, started] = await Promise.all([poolOverview(deps), historyStart(deps.redis, deps.keys)]);
    const toMs = overview.atMs;
    // As chosen; else a day, or the last hour while Limpah has sampled less than an hour (a fresh install), so
    // that its first minutes are not a dot at the right edge of a day.
    const ranges = Object.keys(CHART_RANGES) as ChartRange[];
    const range = ranges.find((r) => r === req.query['range']) ?? (started === null || toMs - started < CHART_RANGES['1h'] ? '1h' : '24h');
    const fromMs = toMs - CHART_RANGES[range];
    const history = downsample(await poolHistory(deps.redis, deps.keys, CHART_RANGES[range] / 3600_000), fromMs, toMs);
    const common = { fromMs, toMs, lang: a.lang === 'en' ? 'en' : 'id', noDataLabel: a.dashboard.noData } as const;
    const capacityChart = lineChart({
      ...common, title: fill(a.dashboard.chartCapacity, { range: a.dashboard.ranges[range] }), unit: 'Mbps',
      series: [
        { label: a.dashboard.capacity, color: '#0b5d3b', points: history.map((s) => [s.t, s.capDownKbps / 1000] as const) },
        { label: a.dashboard.allocation, color: '#c2410c', points: history.map((s) => [s.t, s.allocDownKbps / 1000] as const) },
      ],
    });
    const sessionsChart = lineChart({
      ...common, title: fill(a.dashboard.chartSessions, { range: a.dashboard.ranges[range] }), unit: '', integer: true,
      series: [{ label: a.col.sessions, color: '#0b4f8a', points: history.map((s) => [s.t, s.sessions] as const) }],
    });
    const dataSince = started !== null && started > fromMs ? fmt.when(started) : null;
    res.render('admin/dashboard', { overview, capacityChart, sessionsChart, range, ranges, dataSince, agencyNames: await agencyNames(), basisText: await basisText(res) });
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
    const [kecamatan, live, allocation] = await Promise.all([
      kecamatanChoices(deps, all),
      hotspot ? listSessions(deps, { hotspot: hotspot.id }) : Promise.resolve([]),
      hotspot ? hotspotAllocation(deps, hotspot.id) : Promise.resolve(null),
    ]);
    res.status(status).render('admin/hotspot-edit', {
      hotspot, error, form, shown, weekdays: WEEKDAYS, live, allocation,
      kecamatan: kecamatan.list,
      kecamatanFixed: kecamatan.fixed,
      canWrite: hotspot ? canWriteHotspot(locals(res).actor, hotspot) : canWriteSomething(locals(res).actor),
    });
  };
  const hotspotPath = (id: string) => `/admin/hotspots/${encodeURIComponent(id)}`;
  /** A hotspot the actor may change, or AdminError: checked before a confirmation is asked for, not after. */
  const writableHotspot = async (actor: Actor, id: string): Promise<HotspotView> => {
    const h = await getHotspot(deps, id);
    if (!canWriteHotspot(actor, h)) throw new AdminError('FORBIDDEN', `${actor.name} may not change hotspot ${id}`).says('hotspotOutOfScope', { name: h.name });
    return h;
  };
  router.get('/hotspots/new', (_req, res) => editPage(res, null, null));
  router.get('/hotspots/:id', (req, res) => editPage(res, req.params['id']!, null));
  router.post('/hotspots', async (req, res) => {
    const { a, actor } = locals(res);
    const b = req.body as Record<string, unknown>;
    const id = str(b['id']).trim();
    try {
      if (await deps.redis.sismember(deps.keys.hotspots(), id)) throw new AdminError('CONFLICT', `a hotspot "${id}" exists already`).says('hotspotExists', { id });
      const h = await saveHotspot(deps, actor, id, hotspotFromForm(b));
      done(res, hotspotPath(id), fill(a.done.hotspotCreated, { name: h.name }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, null, errorText(err, a), b, err.status);
    }
  });
  router.post('/hotspots/:id', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const b = req.body as Record<string, unknown>;
    const toggle = b['action'] === 'disable' || b['action'] === 'enable';
    try {
      if (toggle) {
        const disable = b['action'] === 'disable';
        const h = await writableHotspot(actor, id);
        const c = a.confirm.disableHotspot;
        if (disable && !confirmed(req, res, { title: fill(c.title, { name: h.name }), body: fill(c.body, { name: h.name, n: h.liveSessions }), button: c.button, back: hotspotPath(id) })) return;
        await setHotspotDisabled(deps, actor, id, disable);
        return done(res, hotspotPath(id), fill(disable ? a.done.hotspotDisabled : a.done.hotspotEnabled, { name: h.name }));
      }
      const h = await saveHotspot(deps, actor, id, hotspotFromForm(b));
      done(res, hotspotPath(id), fill(a.done.hotspotSaved, { name: h.name }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, id, errorText(err, a), toggle ? null : b, err.status);
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
      await editPage(res, id, errorText(err, locals(res).a), null, err.status);
    }
  });
  router.post('/hotspots/:id/nas/remove', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    const ip = str((req.body as Record<string, unknown>)['ip']);
    try {
      const n = await nasSecret(deps, actor, ip);
      const h = await getHotspot(deps, n.hotspotId);
      const c = a.confirm.removeRouter;
      if (!confirmed(req, res, { title: fill(c.title, { identifier: n.identifier, name: h.name }), body: fill(c.body, { ip: n.ip }), button: c.button, back: hotspotPath(id) })) return;
      await removeNas(deps, actor, ip);
      done(res, hotspotPath(id), fill(a.done.routerRemoved, { identifier: n.identifier, ip: n.ip, name: h.name }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await editPage(res, id, errorText(err, a), null, err.status);
    }
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

  // ------------------------------------------------------------------------------------------------ sessions
  const sessionsPage = async (req: Request, res: Response, error: string | null = null, status = 200) => {
    const { a, actor } = locals(res);
    const filter = { hotspot: str(req.query['hotspot']) || undefined, kecamatan: str(req.query['kecamatan']) || undefined, mac: str(req.query['mac']) || undefined };
    const [sessions, hotspots, blocks] = await Promise.all([listSessions(deps, filter), listHotspots(deps), listBlocks(deps)]);
    res.status(status).render('admin/sessions', {
      sessions, filter, hotspots, blocks, error, kecamatan: kecamatanOf(hotspots),
      hotspotName: (id: string) => hotspots.find((h) => h.id === id)?.name ?? fill(a.sessions.hotspotGone, { id }),
      canWrite: (hotspotId: string) => { const h = hotspots.find((x) => x.id === hotspotId); return Boolean(h && canWriteHotspot(actor, h)); },
      canUnblock: (block: { by: string }) => isAdmin(actor) || (actor.role === 'operator' && block.by === actor.name),
    });
  };
  /** A live session the actor may act on, with its device and hotspot: checked before a confirmation is asked for. */
  const liveSession = async (actor: Actor, id: string): Promise<{ mac: string; hotspot: HotspotView }> => {
    const s = isGrantUsername(id) ? await deps.pool.session(id) : null;
    if (!s || s['state'] === 'closed') throw new AdminError('NOT_FOUND', `no live session ${id}`).says('noSession');
    return { mac: s['mac'] ?? '', hotspot: await writableHotspot(actor, s['hotspotId'] ?? '') };
  };
  router.get('/sessions', (req, res) => sessionsPage(req, res));
  router.post('/sessions/:id/disconnect', async (req, res) => {
    const { a, actor } = locals(res);
    const id = req.params['id']!;
    try {
      const { mac, hotspot } = await liveSession(actor, id);
      const c = a.confirm.disconnect;
      if (!confirmed(req, res, { title: fill(c.title, { mac }), body: fill(c.body, { mac, hotspot: hotspot.name }), button: c.button, back: '/admin/sessions' })) return;
      const result = await disconnectSession(deps, actor, id);
      done(res, '/admin/sessions', fill(result === 'disconnected' ? a.done.sessionDisconnected : a.done.sessionGone, { mac, hotspot: hotspot.name }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await sessionsPage(req, res, errorText(err, a), err.status);
    }
  });
  router.post('/devices/block', async (req, res) => {
    const { a, fmt, actor } = locals(res);
    const b = req.body as Record<string, unknown>;
    try {
      const r = await blockDevice(deps, actor, { mac: str(b['mac']), minutes: num(b['minutes']), reason: str(b['reason']) });
      const values = { mac: r.mac, until: fmt.when(r.until), n: r.disconnected, failed: r.failed };
      done(res, '/admin/sessions', fill(r.failed ? a.done.deviceBlockedUnconfirmed : a.done.deviceBlocked, values));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await sessionsPage(req, res, errorText(err, a), err.status);
    }
  });
  router.post('/devices/unblock', async (req, res) => {
    const { a, actor } = locals(res);
    const mac = str((req.body as Record<string, unknown>)['mac']);
    try {
      await unblockDevice(deps, actor, mac);
      done(res, '/admin/sessions', fill(a.done.deviceUnblocked, { mac: normalizeMac(mac) ?? mac }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await sessionsPage(req, res, errorText(err, a), err.status);
    }
  });

  // ------------------------------------------------------------------------------------------------ vouchers
  /** Where a batch's vouchers are good, in words: hotspot names and kecamatan, or every hotspot. */
  const scopeText = (a: AdminMessages, b: { hotspots: readonly string[]; kecamatan?: readonly string[] | undefined }, hotspots: readonly HotspotView[]): string => {
    const names = b.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id);
    const kecamatan = (b.kecamatan ?? []).map((k) => `Kec. ${k}`);
    return [...names, ...kecamatan].join(', ') || a.vouchers.everywhere;
  };
  const vouchersPage = async (res: Response, error: string | null, status = 200) => {
    const [batches, hotspots] = await Promise.all([listBatches(deps.redis, deps.keys), listHotspots(deps)]);
    res.status(status).render('admin/vouchers', { batches, hotspots, kecamatan: kecamatanOf(hotspots), error, scopeText: (b: Parameters<typeof scopeText>[1]) => scopeText(locals(res).a, b, hotspots) });
  };
  router.get('/vouchers', (_req, res) => vouchersPage(res, null));
  router.post('/vouchers', async (req, res) => {
    const { a, actor } = locals(res);
    const b = req.body as Record<string, unknown>;
    try {
      const r = await createVoucherBatch(deps, actor, {
        count: num(b['count']), validityHours: num(b['validityHours']), deviceLimit: num(b['deviceLimit']), quotaMB: num(b['quotaMB']),
        redeemDays: num(b['redeemDays']) || 90, hotspots: list(b['hotspots']), kecamatan: list(b['kecamatan']), note: str(b['note']),
      });
      done(res, `/admin/vouchers/${encodeURIComponent(r.batch)}`, fill(a.done.vouchersCreated, { n: r.codes.length, batch: r.batch }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await vouchersPage(res, errorText(err, a), err.status);
    }
  });
  const batchOf = async (batch: string) => {
    const b = (await listBatches(deps.redis, deps.keys)).find((x) => x.batch === batch);
    if (!b) throw new AdminError('NOT_FOUND', `no batch ${batch}`).says('noBatch', { batch });
    return b;
  };
  router.get('/vouchers/:batch', async (req, res) => {
    const batch = await batchOf(req.params['batch']!);
    const [usable, vouchers, hotspots] = await Promise.all([canUseBatch(deps, locals(res).actor, batch.batch), batchVouchers(deps.redis, deps.keys, batch.batch), listHotspots(deps)]);
    res.render('admin/voucher-batch', {
      batch, usable, vouchers, formatCode: usable ? formatCode : maskCode, scopeLine: scopeText(locals(res).a, batch, hotspots),
      hotspotName: (id: string) => hotspots.find((h) => h.id === id)?.name ?? id,
    });
  });
  // Codes are credentials: printing and exporting them is for who may change the batch.
  const usableBatch = async (req: Request, res: Response) => {
    const batch = await batchOf(String(req.params['batch']));
    if (!(await canUseBatch(deps, locals(res).actor, batch.batch))) {
      throw new AdminError('FORBIDDEN', `${locals(res).actor.name} may not print or export batch ${batch.batch}`).says('batchOutOfScope', { batch: batch.batch });
    }
    return batch;
  };
  router.get('/vouchers/:batch/print', async (req, res) => {
    const a = locals(res).a;
    const batch = await usableBatch(req, res);
    const [vouchers, hotspots] = await Promise.all([batchVouchers(deps.redis, deps.keys, batch.batch), listHotspots(deps)]);
    // What a card says about where it works: the hotspots by name (two, then "and n more"), the kecamatan, or all;
    // and the WiFi name(s) to join there.
    const kecamatan = batch.kecamatan ?? [];
    const inScope = batch.hotspots.length === 0 && kecamatan.length === 0 ? hotspots : hotspots.filter((h) => batch.hotspots.includes(h.id) || kecamatan.includes(h.kecamatan));
    const names = batch.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id);
    const where = [
      ...(names.length > 2 ? [fill(a.vouchers.sheetMore, { list: names.slice(0, 2).join(', '), n: names.length - 2 })] : names),
      ...(kecamatan.length ? [fill(a.vouchers.sheetInKecamatan, { list: kecamatan.join(', ') })] : []),
    ].join('; ') || a.vouchers.sheetEverywhere;
    const ssids = [...new Set(inScope.flatMap((h) => (h.ssid ? [h.ssid] : [])))];
    res.render('admin/voucher-sheet', {
      batch, where, ssids: ssids.length > 2 ? [...ssids.slice(0, 2), '…'] : ssids,
      cards: vouchers.filter((v) => v.status === 'unused').map((v) => ({ code: formatCode(v.code), qr: renderQrSvg(`${deps.publicUrl}/v/${formatCode(v.code)}`) })),
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
    const { a, actor } = locals(res);
    const batch = req.params['batch']!;
    const back = `/admin/vouchers/${encodeURIComponent(batch)}`;
    const typed = str((req.body as Record<string, unknown>)['code']);
    if (typed) {
      const code = normalizeCode(typed);
      const v = code ? await getVoucher(deps.redis, deps.keys, code) : null;
      if (!code || !v) throw new AdminError('NOT_FOUND', `no voucher ${typed}`).says('noVoucher', { code: typed });
      if (!(await canUseBatch(deps, actor, v.batch))) throw new AdminError('FORBIDDEN', `${actor.name} may not change batch ${v.batch}`).says('batchOutOfScope', { batch: v.batch });
      const c = a.confirm.revokeVoucher;
      if (!confirmed(req, res, { title: fill(c.title, { code: formatCode(code) }), body: c.body, button: c.button, back })) return;
      await revokeVoucherCode(deps, actor, code);
      return done(res, back, fill(a.done.voucherRevoked, { code: formatCode(code) }));
    }
    const b = await usableBatch(req, res);
    const n = (await batchVouchers(deps.redis, deps.keys, b.batch)).filter((v) => v.status !== 'revoked').length;
    const c = a.confirm.revokeBatch;
    if (!confirmed(req, res, { title: fill(c.title, { batch: b.batch }), body: fill(c.body, { n }), button: c.button, back })) return;
    await revokeBatch(deps, actor, b.batch);
    done(res, back, fill(a.done.batchRevoked, { batch: b.batch, n }));
  });

  // ------------------------------------------------------------------------------------------------ agencies
  const agenciesPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    const [agencies, keys] = await Promise.all([listAgencies(deps), listTelemetryKeys(deps)]);
    const agencyName = (id: string) => agencies.find((g) => g.id === id)?.name ?? id;
    res.status(status).render('admin/agencies', { agencies, keys, error, shownKey, agencyName, basisText: await basisText(res) });
  };
  router.get('/agencies', (_req, res) => agenciesPage(res, null));
  router.post('/agencies/:id', async (req, res) => {
    const { a, fmt, actor } = locals(res);
    try {
      const committedKbps = num((req.body as Record<string, unknown>)['committedKbps']);
      await setAgencyCommitted(deps, actor, req.params['id']!, committedKbps);
      const name = (await listAgencies(deps)).find((g) => g.id === req.params['id'])?.name ?? req.params['id']!;
      done(res, '/admin/agencies', fill(a.done.agencySaved, { name, kbps: fmt.kbps(committedKbps) }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await agenciesPage(res, errorText(err, a), null, err.status);
    }
  });
  router.post('/telemetry-keys', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const key = await createTelemetryKey(deps, locals(res).actor, str(b['name']).trim(), list(b['agencies']));
      await agenciesPage(res, null, key);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await agenciesPage(res, errorText(err, locals(res).a), null, err.status);
    }
  });
  router.post('/telemetry-keys/:id/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
    const key = (await listTelemetryKeys(deps)).find((k) => k.id === req.params['id']);
    if (!key) throw new AdminError('NOT_FOUND', `no API key ${req.params['id']}`).says('noKey', { id: req.params['id']! });
    const c = a.confirm.revokeTelemetryKey;
    if (!confirmed(req, res, { title: fill(c.title, { name: key.name }), body: c.body, button: c.button, back: '/admin/agencies' })) return;
    await revokeTelemetryKey(deps, actor, key.id);
    done(res, '/admin/agencies', fill(a.done.telemetryKeyRevoked, { name: key.name }));
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
    const { a, fmt } = locals(res);
    const filter = { actor: str(req.query['actor']) || undefined, action: str(req.query['action']) || undefined, target: str(req.query['target']) || undefined };
    const [hotspots, agencies] = await Promise.all([listHotspots(deps), agencyNames()]);
    const names = { hotspots: new Map(hotspots.map((h) => [h.id, h.name])), agencies };
    // The object filter matches ids and names: "Taman Kota" finds hotspot:taman-kota-sampit.
    const entries = (await readAudit(deps.redis, deps.keys, { actor: filter.actor, action: filter.action, limit: filter.target ? 1000 : 200 }))
      .filter((e) => targetMatches(e.target, filter.target ?? '', a, names))
      .slice(0, 200);
    res.render('admin/audit', { rows: auditRows(entries, a, fmt, names), filter, actions: Object.keys(a.audit.actions) });
  });

  // ------------------------------------------------------------------------------------------------ operators
  const operatorsPage = async (res: Response, error: string | null, shownKey: string | null = null, status = 200) => {
    if (!isAdmin(locals(res).actor)) throw new AdminError('FORBIDDEN', 'only an admin may manage operators').says('adminOnly');
    const [operators, apiKeys, hotspots] = await Promise.all([listOperators(deps.redis, deps.keys), listAdminApiKeys(deps.redis, deps.keys), listHotspots(deps)]);
    const kecamatan = await kecamatanChoices(deps, hotspots);
    res.status(status).render('admin/operators', {
      operators, apiKeys, roles: ROLES, error, shownKey, kecamatan: kecamatan.list, hotspots,
      scopeText: (scope: { kecamatan: readonly string[]; hotspots: readonly string[] }) =>
        [...scope.kecamatan.map((k) => `Kec. ${k}`), ...scope.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id)].join(', '),
    });
  };
  router.get('/operators', (_req, res) => operatorsPage(res, null));
  const scopeFields = (b: Record<string, unknown>) => ({ kecamatan: list(b['scopeKecamatan']), hotspots: list(b['scopeHotspots']) });
  router.post('/operators', async (req, res) => {
    const { a, actor } = locals(res);
    const b = req.body as Record<string, unknown>;
    try {
      const username = await createOperatorAccount(deps, actor, {
        username: str(b['username']).trim(), name: str(b['name']), role: str(b['role']), scope: scopeFields(b), password: str(b['password']),
      });
      done(res, '/admin/operators', fill(a.done.operatorCreated, { username }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, errorText(err, a), null, err.status);
    }
  });
  router.post('/operators/:username', async (req, res) => {
    const { a, actor } = locals(res);
    const b = req.body as Record<string, unknown>;
    const username = String(req.params['username']);
    try {
      const password = str(b['password']);
      await changeOperator(deps, actor, username, {
        role: str(b['role']), scope: scopeFields(b), disabled: b['disabled'] === 'on', ...(password ? { password } : {}),
      });
      done(res, '/admin/operators', fill(a.done.operatorSaved, { username }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, errorText(err, a), null, err.status);
    }
  });
  router.post('/api-keys', async (req, res) => {
    const b = req.body as Record<string, unknown>;
    try {
      const key = await createAdminApiKey(deps.redis, deps.keys, locals(res).actor, { name: str(b['name']).trim(), role: (str(b['role']) || 'viewer') as Role, scope: scopeFields(b) });
      await operatorsPage(res, null, key);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await operatorsPage(res, errorText(err, locals(res).a), null, err.status);
    }
  });
  router.post('/api-keys/:id/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
    const key = (await listAdminApiKeys(deps.redis, deps.keys)).find((k) => k.id === req.params['id']);
    if (!key) throw new AdminError('NOT_FOUND', `no API key ${req.params['id']}`).says('noKey', { id: req.params['id']! });
    const c = a.confirm.revokeApiKey;
    if (!confirmed(req, res, { title: fill(c.title, { name: key.name }), body: c.body, button: c.button, back: '/admin/operators' })) return;
    await revokeAdminApiKey(deps.redis, deps.keys, actor, key.id);
    done(res, '/admin/operators', fill(a.done.apiKeyRevoked, { name: key.name }));
  });

  // ------------------------------------------------------------------------------------------------ errors
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof AdminError)) return next(err);
    const a = locals(res).a;
    res.status(err.status).render('admin/message', { title: err.code === 'FORBIDDEN' ? a.forbidden : errorText(err, a), body: err.code === 'FORBIDDEN' && err.text ? errorText(err, a) : '' });
  });

  return router;
}
