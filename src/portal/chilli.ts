import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { normalizeMac } from '../mac';
import { chilliChapResponse, chilliNewChallenge, verifyChilliMd } from './chilli-uam';
import type { PortalDeps } from './deps';
import { destination, optional } from './params';
import { grantForChoice, loginChoice, renderRouterLogin, signedFields } from './grant-flow';
import type { Messages } from './i18n/messages';
import type { HotspotInfo } from '../pool/site-store';
import { prefilledVoucher, readRefusal, renderSplash, type LanguageToggle, type RefusalView } from './splash';
import { allowFormAction, renderError, renderPage } from './render';
import { isRouterLoginUrl } from './router-url';
import { statusUrl } from './status';

/** What CoovaChilli puts in its redirect to the portal (uamserver). */
const redirectSchema = z.object({
  res: z.enum(['notyet', 'success', 'failed', 'logoff', 'already', 'wispr', 'popup1', 'popup2', 'popup3']).default('notyet'),
  uamip: z.ipv4(),
  uamport: z.coerce.number().int().min(1).max(65535),
  challenge: optional(z.string().regex(/^[0-9a-fA-F]{32}$/)),
  mac: z.string().max(32),
  ip: optional(z.ipv4()),
  nasid: z.string().min(1).max(64),
  sessionid: optional(z.string().max(64)),
  userurl: optional(z.string().max(2048)),
  reply: optional(z.string().max(300)),
  lang: optional(z.enum(['id', 'en'])),
});

const connectSchema = z.object({
  mac: z.string().max(32),
  hotspot: z.string().max(64),
  nasid: z.string().max(64),
  uamip: z.ipv4(),
  uamport: z.string().regex(/^\d{1,5}$/),
  challenge: z.string().regex(/^[0-9a-fA-F]{32}$/),
  dst: z.string().max(2048),
  token: z.string().max(128),
});

/**
 * CoovaChilli's UAM flow at `/hotspot/chilli` (Chilli's `uamserver`): the redirect is checked against its `md`
 * signature with the NAS's uamsecret, the splash page is shown, and "Sambungkan" sends the browser to Chilli's
 * `/logon` with the CHAP response Chilli expects. Chilli's other answers (`res`) get their own pages.
 */
export function chilliRouter(deps: PortalDeps): Router {
  const router = Router();

  router.get('/hotspot/chilli', async (req: Request, res: Response) => {
    const parsed = redirectSchema.safeParse(req.query);
    if (!parsed.success) {
      if (req.query['nasid'] === undefined) return renderError(res, 400, 'errNotThroughRouter');
      return renderError(res, 400, 'errBadRequest');
    }
    const p = parsed.data;
    const mac = normalizeMac(p.mac);
    const [secret, hotspot] = await Promise.all([deps.redis.hget(deps.keys.chilliSecrets(), p.nasid), deps.hotspots.find({ identifier: p.nasid })]);
    if (!hotspot || !secret) return renderError(res, 404, 'errUnknownHotspot');
    // md covers the URL exactly as Chilli built it from its uamserver: as the citizen's browser asked for it.
    const origins = [deps.publicUrl, `${req.protocol}://${req.get('host') ?? ''}`];
    if (!origins.some((o) => verifyChilliMd(`${o}${req.originalUrl.replace(/&lang=(id|en)$/, '')}`, secret))) {
      req.log?.warn({ nasid: p.nasid }, 'Chilli redirect with a wrong md: check uamsecret, and that uamserver is PUBLIC_URL/hotspot/chilli');
      return renderError(res, 400, 'errBadRequest');
    }
    if (!mac || !isRouterLoginUrl(`http://${p.uamip}:${p.uamport}/logon`, [])) return renderError(res, 400, 'errBadRequest');
    rememberChilliLogin(deps, hotspot.id, `http://${p.uamip}:${p.uamport}/prelogin`);
    res.setHeader('Cache-Control', 'no-store');
    const welcome = `${deps.publicUrl}/hotspot/welcome?hotspot=${encodeURIComponent(hotspot.id)}`;
    if (p.res === 'success' || p.res === 'already') {
      // Chilli hands back the userurl the portal sent to /logon: the session's signed status page. md covers it, so
      // only a URL this portal made (or the router saw) arrives here; anything else gets the generic page.
      const status = `${deps.publicUrl}/hotspot/status?`;
      if (p.userurl?.startsWith(status)) return res.redirect(303, p.userurl);
      return renderPage(res, 'welcome', { hotspot });
    }
    if (p.res === 'logoff') return renderError(res, 200, 'errLoggedOff');
    if (!p.challenge) return renderError(res, 400, 'errBadRequest');
    const fields: ChilliFields = {
      mac,
      hotspot: hotspot.id,
      nasid: p.nasid,
      uamip: p.uamip,
      uamport: String(p.uamport),
      challenge: p.challenge.toLowerCase(),
      dst: destination(p.userurl, welcome),
    };
    const refusal = await readRefusal(deps.redis, deps.keys, hotspot.id, mac, res.locals['t'] as Messages, p.res === 'failed');
    showSplash(res, hotspot, fields, deps.signer.sign(fields), {
      routerError: p.res === 'failed' ? (p.reply ?? (res.locals['t'] as Messages).errLoginFailed) : undefined,
      refusal,
      voucherCode: prefilledVoucher(req, deps.publicUrl, p.userurl),
      toggle: { kind: 'link', href: req.originalUrl.replace(/&lang=(id|en)$/, '') },
    });
  });

  router.post('/hotspot/chilli/connect', async (req: Request, res: Response) => {
    const signed = signedFields(deps, res, connectSchema, req.body);
    if (!signed) return;
    const { fields, token } = signed;
    const mac = normalizeMac(fields.mac);
    const [secret, hotspot] = await Promise.all([deps.redis.hget(deps.keys.chilliSecrets(), fields.nasid), deps.hotspots.find({ id: fields.hotspot })]);
    if (!mac || !hotspot || !secret) return renderError(res, 404, 'errUnknownHotspot');
    const newChallenge = chilliNewChallenge(Buffer.from(fields.challenge, 'hex'), secret);
    // Chilli sends CHAP ident 0 with newchal as CHAP-Challenge: the grant keeps that exchange for RADIUS.
    const grant = await grantForChoice(deps, req, res, {
      hotspot,
      mac,
      chap: { id: Buffer.from([0]), challenge: newChallenge },
      choice: loginChoice(req.body),
      // The redirect's URL is not known here, so the page shows no language toggle.
      again: (voucherError, typed, status) => showSplash(res, hotspot, fields, token, { voucherError, voucherCode: typed, status, toggle: { kind: 'none' } }),
    });
    if (!grant) return;
    const chilli = `http://${fields.uamip}:${fields.uamport}`;
    renderRouterLogin(res, `${chilli}/logon`, 'get', {
      username: grant.username,
      response: chilliChapResponse(grant.password, newChallenge),
      userurl: statusUrl(deps.publicUrl, deps.statusSigner, { sid: grant.username, hotspot: hotspot.id, logout: `${chilli}/logoff`, next: fields.dst }, (res.locals['t'] as Messages).lang),
    });
  });

  return router;
}

type ChilliFields = Omit<z.infer<typeof connectSchema>, 'token'>;

/** Chilli login pages by hotspot as last written, so a redirect costs a Redis write only now and then. */
const knownChilliLogins = new Map<string, { url: string; atMs: number }>();
const CHILLI_LOGIN_REWRITE_MS = 10 * 60_000;

/**
 * Keeps the Chilli's own login page (from a redirect its md signed) for the venue page, where a phone that came
 * by the Captive Portal API can start a login without a redirect. Not awaited: the splash does not wait for it.
 */
function rememberChilliLogin(deps: Pick<PortalDeps, 'redis' | 'keys'>, hotspotId: string, url: string): void {
  const key = `${deps.keys.namespace}:${hotspotId}`;
  const known = knownChilliLogins.get(key);
  if (known?.url === url && Date.now() - known.atMs < CHILLI_LOGIN_REWRITE_MS) return;
  knownChilliLogins.set(key, { url, atMs: Date.now() });
  deps.redis.hset(deps.keys.hotspot(hotspotId), 'chilliLoginUrl', url).catch(() => knownChilliLogins.delete(key));
}

/** The splash page for a Chilli redirect. */
function showSplash(
  res: Response,
  hotspot: HotspotInfo,
  fields: ChilliFields,
  token: string,
  extra: { toggle: LanguageToggle; routerError?: string | undefined; refusal?: RefusalView | null; voucherError?: string; voucherCode?: string | undefined; status?: number },
): void {
  const chilli = `http://${fields.uamip}:${fields.uamport}`;
  // "Sambungkan" posts here and is redirected on to Chilli's /logon: form-action covers the redirect too.
  allowFormAction(res, chilli);
  renderSplash(res, {
    hotspot,
    fields,
    token,
    action: '/hotspot/chilli/connect',
    routerLoginUrl: `${chilli}/logon`,
    routerLogoutUrl: `${chilli}/logoff`,
    ...extra,
  });
}
