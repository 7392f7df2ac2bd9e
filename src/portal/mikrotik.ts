import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { normalizeMac } from '../mac';
import type { HotspotInfo } from '../pool/site-store';
import type { PortalDeps } from './deps';
import { decodeMikrotikOctal, mikrotikChapPassword } from './mikrotik-chap';
import { grantForChoice, loginChoice, renderRouterLogin, signedFields } from './grant-flow';
import type { Messages } from './i18n/messages';
import { prefilledVoucher, readRefusal, renderSplash, type RefusalView } from './splash';
import { renderError } from './render';
import { isRouterLoginUrl } from './router-url';
import { statusUrl } from './status';
import { destination, httpUrl, optional } from './params';

/** What the router's login.html sends. Everything is checked; nothing is trusted beyond its shape. */
const redirectSchema = z.object({
  mac: z.string().max(32),
  ip: optional(z.ipv4()),
  'link-login-only': httpUrl(512),
  'link-orig': optional(z.string().max(2048)),
  error: optional(z.string().max(300)),
  'chap-id': optional(z.string().max(16)),
  'chap-challenge': optional(z.string().max(256)),
  identity: optional(z.string().max(64)),
  'server-name': optional(z.string().max(64)),
  hotspot: optional(z.string().max(64)),
  lang: optional(z.enum(['id', 'en'])),
});

/** The hidden fields of the splash form, signed by the portal. */
const connectSchema = z.object({
  mac: z.string().max(32),
  hotspot: z.string().max(64),
  linkLoginOnly: httpUrl(512),
  dst: httpUrl(2048),
  chapId: z.string().max(16).default(''),
  chapChallenge: z.string().max(256).default(''),
  token: z.string().max(128),
});

type ConnectFields = Omit<z.infer<typeof connectSchema>, 'token'>;

function params(req: Request): Record<string, unknown> {
  return req.method === 'POST' ? { ...(req.body as object) } : { ...req.query };
}

/** A hotspot id as the site file allows it: anything else names no hotspot. */
const HOTSPOT_ID = /^[a-z0-9-]{1,64}$/;

async function resolveHotspot(deps: PortalDeps, hotspotId: string | undefined, identity: string | undefined): Promise<HotspotInfo | null> {
  const byId = hotspotId && HOTSPOT_ID.test(hotspotId) ? await deps.hotspots.find({ id: hotspotId }) : null;
  return byId ?? (identity ? deps.hotspots.find({ identifier: identity }) : null);
}

export function mikrotikRouter(deps: PortalDeps): Router {
  const router = Router();

  const splash = async (req: Request, res: Response) => {
    const raw = params(req);
    if (raw['mac'] === undefined && raw['link-login-only'] === undefined) {
      return renderError(res, 400, 'errNotThroughRouter');
    }
    const parsed = redirectSchema.safeParse(raw);
    const mac = parsed.success ? normalizeMac(parsed.data.mac) : null;
    if (!parsed.success || !mac) {
      req.log?.info({ issues: parsed.success ? ['mac'] : parsed.error.issues.map((i) => i.path.join('.')) }, 'bad MikroTik redirect');
      return renderError(res, 400, 'errBadRequest');
    }
    const p = parsed.data;
    const t = res.locals['t'] as Messages;
    // The login.html Limpah ships names the hotspot: what stands in this device's way there is then read in the same
    // round trip as the hotspot itself. (Read for nothing when the id turns out to name no hotspot.)
    const named = p.hotspot && HOTSPOT_ID.test(p.hotspot) ? p.hotspot : undefined;
    const refusalThere = named ? readRefusal(deps.redis, deps.keys, named, mac, t, Boolean(p.error)) : undefined;
    const hotspot = await resolveHotspot(deps, p.hotspot, p.identity);
    if (!hotspot) return renderError(res, 404, 'errUnknownHotspot');

    if (!isRouterLoginUrl(p['link-login-only'], hotspot.loginHosts)) {
      req.log?.warn({ hotspot: hotspot.id, linkLoginOnly: p['link-login-only'] }, 'login URL is not a router address or a configured loginHost');
      return renderError(res, 400, 'errBadRequest');
    }
    if ((p['chap-id'] === undefined) !== (p['chap-challenge'] === undefined)) return renderError(res, 400, 'errBadRequest');
    if (p['chap-id'] !== undefined && (!decodeMikrotikOctal(p['chap-id']) || !decodeMikrotikOctal(p['chap-challenge'] ?? ''))) {
      return renderError(res, 400, 'errBadRequest');
    }
    const fields: ConnectFields = {
      mac,
      hotspot: hotspot.id,
      linkLoginOnly: p['link-login-only'],
      dst: destination(p['link-orig'], `${deps.publicUrl}/hotspot/welcome?hotspot=${encodeURIComponent(hotspot.id)}`),
      chapId: p['chap-id'] ?? '',
      chapChallenge: p['chap-challenge'] ?? '',
    };
    // The router shows its login page again after a refused login, with its reason in $(error).
    const refusal = await (hotspot.id === named && refusalThere ? refusalThere : readRefusal(deps.redis, deps.keys, hotspot.id, mac, t, Boolean(p.error)));
    showSplash(res, hotspot, fields, deps.signer.sign(fields), {
      routerError: p.error,
      refusal,
      voucherCode: prefilledVoucher(req, deps.publicUrl, p['link-orig']),
    });
  };

  router.get('/hotspot/mikrotik', splash);
  router.post('/hotspot/mikrotik', splash);

  router.post('/hotspot/mikrotik/connect', async (req: Request, res: Response) => {
    const signed = signedFields(deps, res, connectSchema, req.body);
    if (!signed) return;
    const { fields, token } = signed;
    const mac = normalizeMac(fields.mac);
    const hotspot = await deps.hotspots.find({ id: fields.hotspot });
    if (!mac || !hotspot) return renderError(res, 404, 'errUnknownHotspot');
    if (!isRouterLoginUrl(fields.linkLoginOnly, hotspot.loginHosts)) return renderError(res, 400, 'errBadRequest');
    let chap: { id: Buffer; challenge: Buffer } | undefined;
    if (fields.chapId) {
      const id = decodeMikrotikOctal(fields.chapId);
      const challenge = decodeMikrotikOctal(fields.chapChallenge);
      if (!id || !challenge) return renderError(res, 400, 'errBadRequest');
      chap = { id, challenge };
    }
    const grant = await grantForChoice(deps, req, res, {
      hotspot,
      mac,
      ...(chap ? { chap } : {}),
      choice: loginChoice(req.body),
      again: (voucherError, typed, status) => showSplash(res, hotspot, fields, token, { voucherError, voucherCode: typed, status }),
    });
    if (!grant) return;
    const router = new URL(fields.linkLoginOnly).origin;
    renderRouterLogin(res, fields.linkLoginOnly, 'post', {
      username: grant.username,
      // With CHAP the router wants hex(MD5(chap-id ‖ password ‖ chap-challenge)), which it forwards as CHAP-Password.
      password: chap ? mikrotikChapPassword(chap.id, grant.password, chap.challenge) : grant.password,
      // After login the router opens the status page, which links on to where the citizen was going.
      dst: statusUrl(deps.publicUrl, deps.statusSigner, { sid: grant.username, hotspot: hotspot.id, logout: `${router}/logout`, next: fields.dst }, (res.locals['t'] as Messages).lang),
      popup: 'true',
    });
  });

  return router;
}

/** The splash page for a MikroTik redirect; the language toggle posts the router's variables back. */
function showSplash(
  res: Response,
  hotspot: HotspotInfo,
  fields: ConnectFields,
  token: string,
  extra: { routerError?: string | undefined; refusal?: RefusalView | null; voucherError?: string; voucherCode?: string | undefined; status?: number },
): void {
  renderSplash(res, {
    hotspot,
    fields,
    token,
    action: '/hotspot/mikrotik/connect',
    routerLoginUrl: fields.linkLoginOnly,
    routerLogoutUrl: `${new URL(fields.linkLoginOnly).origin}/logout`,
    toggle: {
      kind: 'form',
      action: '/hotspot/mikrotik',
      fields: {
        mac: fields.mac,
        'link-login-only': fields.linkLoginOnly,
        'link-orig': fields.dst,
        ...(fields.chapId ? { 'chap-id': fields.chapId, 'chap-challenge': fields.chapChallenge } : {}),
        hotspot: hotspot.id,
      },
    },
    ...extra,
  });
}
