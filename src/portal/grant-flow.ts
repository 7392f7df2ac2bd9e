import type { Request, Response } from 'express';
import type { z } from 'zod';
import { allowGrant, createGrant, unstoredGrant, type Grant } from '../grants/grants';
import type { HotspotInfo } from '../pool/site-store';
import type { PortalDeps } from './deps';
import { allowFormAction, renderError, renderPage } from './render';
import type { Messages } from './i18n/messages';
import { normalizeCode } from '../vouchers/codes';
import { redeemVoucher, refundVoucherAttempt, takeVoucherAttempt } from '../vouchers/store';
import { sourceNetwork } from '../source-network';
import { rememberVoucherCookie } from './splash';

/**
 * The steps every NAS flavour's "Sambungkan" shares: the signed form, the grant (rate-limited, and issued even
 * while Redis is down), and the page that hands the credentials to the router.
 */

/** The splash form's fields and their token, if they parse and the token is the portal's valid signature; otherwise renders why not. */
export function signedFields<S extends z.ZodType<Record<string, string> & { token: string }>>(
  deps: Pick<PortalDeps, 'signer'>,
  res: Response,
  schema: S,
  body: unknown,
): { fields: Omit<z.infer<S>, 'token'>; token: string } | null {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    renderError(res, 400, 'errBadRequest');
    return null;
  }
  const { token, ...fields } = parsed.data as Record<string, string>;
  const verdict = deps.signer.verify(fields, token!);
  if (verdict !== 'ok') {
    renderError(res, 400, verdict === 'expired' ? 'errExpiredForm' : 'errBadRequest');
    return null;
  }
  return { fields: fields as Omit<z.infer<S>, 'token'>, token: token! };
}

/** Whether another grant may go to this device at this hotspot now; renders the 429 page when not. */
async function grantAllowed(deps: Pick<PortalDeps, 'redis' | 'keys'>, req: Request, res: Response, hotspot: HotspotInfo, mac: string): Promise<boolean> {
  const allowed = await allowGrant(deps.redis, deps.keys, { mac, source: sourceNetwork(req.ip ?? '') }).catch((err: unknown) => {
    req.log?.warn({ err }, 'Redis unavailable: grant rate limit not checked');
    return 'ok' as const;
  });
  if (allowed === 'ok') return true;
  req.log?.warn({ hotspot: hotspot.id, mac, limit: allowed }, 'grant refused: too many in the last minute');
  res.setHeader('Retry-After', '60');
  renderError(res, 429, 'errTooManyGrants');
  return false;
}

/**
 * A grant for this device at this hotspot (the caller checked the rate limit). Without Redis there is nowhere to
 * keep it: the credentials still go to the router, and RADIUS, failing open, lets the citizen in at the safe rate.
 */
async function storeGrant(
  deps: Pick<PortalDeps, 'redis' | 'keys'>,
  req: Request,
  input: {
    hotspot: HotspotInfo;
    mac: string;
    chap?: { id: Buffer; challenge: Buffer };
    voucher?: string;
    redemption?: { startedClock: boolean; addedDevice: boolean };
  },
): Promise<Grant> {
  const { hotspot, mac } = input;
  const grant = await createGrant(deps.redis, deps.keys, {
    hotspotId: hotspot.id,
    mac,
    ...(input.chap ? { chap: input.chap } : {}),
    ...(input.voucher ? { voucher: input.voucher, ...(input.redemption ? { redemption: input.redemption } : {}) } : {}),
  }).catch(
    (err: unknown) => {
      req.log?.warn({ err }, 'Redis unavailable: credentials issued without a stored grant');
      return unstoredGrant({ hotspotId: hotspot.id, mac });
    },
  );
  req.log?.info({ hotspot: hotspot.id, mac, chap: Boolean(input.chap), voucher: Boolean(input.voucher) }, 'grant issued');
  return grant;
}

/** The page that submits the credentials to the router by itself (and by a button without JavaScript). */
export function renderRouterLogin(res: Response, action: string, method: 'get' | 'post', loginFields: Record<string, string>): void {
  res.setHeader('Cache-Control', 'no-store');
  // A GET login (CoovaChilli's /logon) is a redirect: no page in between, no JavaScript needed, one tap fewer.
  if (method === 'get') return res.redirect(303, `${action}?${new URLSearchParams(loginFields).toString()}`);
  allowFormAction(res, new URL(action).origin);
  renderPage(res, 'router-login', { action, method, loginFields });
}

/** What the citizen chose on the splash page: free access, or a voucher with the code as typed. */
export interface LoginChoice {
  readonly method: 'click' | 'voucher';
  readonly typed: string | undefined;
}

/** The choice fields, which are not signed (the code is typed by the citizen). */
export function loginChoice(body: unknown): LoginChoice {
  const b = (body ?? {}) as Record<string, unknown>;
  const typed = typeof b['voucher'] === 'string' ? b['voucher'] : undefined;
  return { method: b['method'] === 'voucher' || (b['method'] === undefined && typed !== undefined) ? 'voucher' : 'click', typed };
}

/**
 * A grant for the citizen's choice at this hotspot: free access if the hotspot offers it, or a voucher, checked
 * and redeemed first. A wrong code shows the splash again with the reason beside the field (`again`); failed
 * codes are capped per device and per hotspot against guessing. Null when a page was rendered instead.
 */
export async function grantForChoice(
  deps: Pick<PortalDeps, 'redis' | 'keys'>,
  req: Request,
  res: Response,
  input: { hotspot: HotspotInfo; mac: string; chap?: { id: Buffer; challenge: Buffer }; choice: LoginChoice; again: (voucherError: string, typed: string | undefined, status: number) => void },
): Promise<Grant | null> {
  const { hotspot, mac, choice } = input;
  if (!hotspot.loginMethods.includes(choice.method)) {
    renderError(res, 400, 'errBadRequest');
    return null;
  }
  if (choice.method === 'click') return (await grantAllowed(deps, req, res, hotspot, mac)) ? storeGrant(deps, req, input) : null;

  const t = res.locals['t'] as Messages;
  const subject = { mac, source: sourceNetwork(req.ip ?? '') };
  let allowed: 'ok' | 'device' | 'source' | 'unavailable';
  try {
    allowed = await takeVoucherAttempt(deps.redis, deps.keys, subject);
  } catch (err) {
    req.log?.warn({ err }, 'Redis unavailable: voucher not checked; credentials issued as for free access');
    allowed = 'unavailable';
  }
  if (allowed === 'unavailable') return storeGrant(deps, req, input);
  if (allowed !== 'ok') {
    req.log?.warn({ hotspot: hotspot.id, mac, source: subject.source, limit: allowed }, 'voucher attempt refused: too many wrong codes');
    res.setHeader('Retry-After', '600');
    input.again(allowed === 'device' ? t.voucherErrors.too_many : t.voucherErrors.too_many_here, choice.typed, 429);
    return null;
  }
  // Only a code that does not exist is a guess: any other outcome gives the attempt back.
  const notAGuess = () => refundVoucherAttempt(deps.redis, deps.keys, subject).catch(() => undefined);
  // The grant limit first: a voucher must not start its validity for a login that is then refused.
  if (!(await grantAllowed(deps, req, res, hotspot, mac))) {
    await notAGuess();
    return null;
  }
  const code = normalizeCode(choice.typed);
  if (!code) {
    input.again(t.voucherErrors.malformed, choice.typed, 400);
    return null;
  }
  let redeemed: Awaited<ReturnType<typeof redeemVoucher>>;
  try {
    redeemed = await redeemVoucher(deps.redis, deps.keys, { code, mac, hotspotId: hotspot.id });
  } catch (err) {
    req.log?.warn({ err }, 'Redis unavailable: voucher not checked; credentials issued as for free access');
    return storeGrant(deps, req, input);
  }
  if (redeemed.ok || redeemed.reason !== 'voucher_invalid') await notAGuess();
  if (!redeemed.ok) {
    req.log?.info({ hotspot: hotspot.id, mac, reason: redeemed.reason }, 'voucher refused');
    input.again(t.voucherErrors[redeemed.reason], choice.typed, redeemed.reason === 'voucher_invalid' ? 400 : 403);
    return null;
  }
  req.log?.info({ hotspot: hotspot.id, mac, expiresAt: redeemed.expiresAt }, 'voucher redeemed');
  // The code stays filled in if RADIUS then refuses the login (the router shows the splash again).
  rememberVoucherCookie(res, code);
  return storeGrant(deps, req, { ...input, voucher: code, redemption: { startedClock: redeemed.startedClock, addedDevice: redeemed.addedDevice } });
}
