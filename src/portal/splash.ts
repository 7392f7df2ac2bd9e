import type { Request, Response } from 'express';
import type { OfficeHours } from '../config/site';
import { hhmm } from '../pool/capacity';
import { loginState } from '../pool/availability';
import type { HotspotInfo } from '../pool/site-store';
import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { formatCode, normalizeCode } from '../vouchers/codes';
import { format, formatDuration, type Messages } from './i18n/messages';
import { cookies } from '../cookies';
import { renderPage } from './render';
import { isOwnReplyMessage, readComeBack, REFUSAL_POLICY, REFUSAL_TEXTS } from '../refusals';

/**
 * The splash page every NAS flavour shows: the hotspot, the login methods it offers (accept the terms, or a
 * voucher), why the last login was refused (from the RADIUS server's record, in the citizen's language, with
 * when to come back), and the WISPr 1.0 smart-client block.
 */

/** The language toggle: the router's parameters again, by form (MikroTik posts them) or by link (Chilli). */
export type LanguageToggle =
  | { readonly kind: 'form'; readonly action: string; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'link'; readonly href: string }
  | { readonly kind: 'none' };

export interface SplashOptions {
  readonly hotspot: HotspotInfo;
  /** The signed hidden fields and their token. */
  readonly fields: Readonly<Record<string, string>>;
  readonly token: string;
  /** Where the forms post. */
  readonly action: string;
  /** The router's login and logout URLs, for WISPr smart clients. */
  readonly routerLoginUrl: string;
  readonly routerLogoutUrl: string;
  readonly toggle: LanguageToggle;
  /** The router's own words about a failed login, when it sent any. */
  readonly routerError?: string | undefined;
  readonly refusal?: RefusalView | null;
  /** Why the typed voucher was not taken, shown beside its field. */
  readonly voucherError?: string | undefined;
  /** A code to fill in: typed before, from the QR link, or from the link the citizen wanted. */
  readonly voucherCode?: string | undefined;
  readonly status?: number;
}

/** A refusal explained: what happened, when to come back, and which login forms still make sense. */
export interface RefusalView {
  readonly title: string;
  readonly body: string;
  readonly when: string;
  readonly allowClick: boolean;
  readonly allowVoucher: boolean;
}

/** Escapes text for the WISPr XML, which sits inside an HTML comment: no "--" may appear in it. */
export function wisprText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/--/g, '-&#45;');
}

/** A code as it goes back into the field: in its printed form when it is one, else as typed. */
function voucherDisplay(typed: string | undefined): string {
  if (!typed) return '';
  const code = normalizeCode(typed);
  return code ? formatCode(code) : typed.trim().slice(0, 40);
}

/**
 * What the page may show of a router's message. The text arrives in the redirect or the router's form, where
 * anyone can write a link with any text in it: only Limpah's own Reply-Messages are shown as they are; anything
 * else becomes the fixed "could not connect" text.
 */
export function routerMessage(text: string | undefined, t: Messages): string | undefined {
  if (!text) return undefined;
  return isOwnReplyMessage(text) ? text : t.errLoginFailed;
}

export function renderSplash(res: Response, o: SplashOptions): void {
  const t = res.locals['t'] as Messages;
  res.setHeader('Cache-Control', 'no-store');
  const methods = o.hotspot.loginMethods;
  renderPage(res, 'splash', {
    hotspot: o.hotspot,
    routerError: o.refusal ? undefined : routerMessage(o.routerError, t),
    refusal: o.refusal ?? null,
    fields: o.fields,
    token: o.token,
    action: o.action,
    toggle: o.toggle,
    showClick: methods.includes('click') && (o.refusal?.allowClick ?? true),
    showVoucher: methods.includes('voucher') && (o.refusal?.allowVoucher ?? true),
    voucherOnly: !methods.includes('click'),
    voucherError: o.voucherError,
    voucherCode: voucherDisplay(o.voucherCode),
    wispr: {
      loginUrl: wisprText(o.routerLoginUrl),
      abortUrl: wisprText(o.routerLogoutUrl),
      location: wisprText(`isocc=id,network=Limpah,id=${o.hotspot.id}`),
      name: wisprText(o.hotspot.name),
    },
    terms: termsFor(o.hotspot, t),
  }, o.status ?? 200);
}

/**
 * The terms as they apply here: free access and its limits where the hotspot offers it, the voucher's where it takes
 * them (a voucher-only hall is not "free, no registration"), and the opening hours when it has them.
 */
export function termsFor(hotspot: HotspotInfo, t: Messages): string[] {
  const free = hotspot.loginMethods.includes('click');
  const lines: string[] = [];
  if (free) {
    lines.push(t.termsFree);
    lines.push(format(t.termsFreeLimits, { session: formatDuration(hotspot.sessionMinutes, t), daily: formatDuration(hotspot.dailyMinutes, t), dailyMB: hotspot.dailyMB }));
  } else {
    lines.push(t.termsVoucherOnly);
  }
  if (hotspot.loginMethods.includes('voucher')) lines.push(t.termsVoucherLimits);
  if (hotspot.openingHours) lines.push(format(t.termsHours, { hours: openingHoursText(hotspot.openingHours, t) }));
  return [...lines, ...t.termsRules];
}

/** Opening hours in a line: "Senin–Jumat 08.00–16.00; Sabtu 08.00–12.00", days with the same hours together. */
export function openingHoursText(hours: OfficeHours, t: Messages): string {
  const order = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const names = [1, 2, 3, 4, 5, 6, 0].map((d) => t.weekdays[d]!);
  const groups: Array<{ from: number; to: number; span: string }> = [];
  order.forEach((day, i) => {
    const span = hours[day];
    if (!span) return;
    const text = `${span[0].replace(':', '.')}–${span[1].replace(':', '.')}`;
    const last = groups[groups.length - 1];
    if (last && last.span === text && last.to === i - 1) last.to = i;
    else groups.push({ from: i, to: i, span: text });
  });
  return groups.map((g) => `${g.from === g.to ? names[g.from] : `${names[g.from]}–${names[g.to]}`} ${g.span}`).join('; ');
}

const VOUCHER_COOKIE = 'limpah_voucher';

/** Remembers a code from a scanned QR link for half an hour, for the splash page the router shows next. */
export function rememberVoucherCookie(res: Response, code: string): void {
  res.cookie(VOUCHER_COOKIE, code, { maxAge: 30 * 60_000, httpOnly: true, sameSite: 'lax', path: '/' });
}

/**
 * A voucher code to fill in: from the QR link's cookie, or from the page the citizen wanted when that page is
 * this portal's voucher link (`<PUBLIC_URL>/v/<code>`, opened before the phone was let through).
 */
export function prefilledVoucher(req: Request, publicUrl: string, wanted: string | undefined): string | undefined {
  const fromCookie = normalizeCode(cookies(req)[VOUCHER_COOKIE]);
  if (fromCookie) return fromCookie;
  if (wanted && wanted.startsWith(`${publicUrl}/v/`)) return normalizeCode(wanted.slice(publicUrl.length + 3).split(/[?#]/)[0]) ?? undefined;
  return undefined;
}

/**
 * Why this device cannot log in at this hotspot, explained: right after the router reported a refused login, the
 * RADIUS server's recorded reason; otherwise what would refuse a login now (closed, full, the day used up), so that
 * the splash says so before "Sambungkan" rather than after a round trip through the router. Null when nothing
 * stands in the way (or Redis cannot say): the page then shows the router's words, if any.
 */
export async function readRefusal(
  redis: Redis,
  keys: Keys,
  hotspotId: string,
  mac: string,
  t: Messages,
  refusedJustNow: boolean,
  nowMs = Date.now(),
): Promise<RefusalView | null> {
  const state = await loginState(redis, keys, hotspotId, mac, nowMs).catch(() => null);
  const reason = (refusedJustNow ? state?.recorded : null) ?? state?.obstacle;
  if (!reason) return null;
  const texts = REFUSAL_TEXTS[t.lang === 'en' ? 'en' : 'id'];
  const r = texts.reasons[reason];
  const back = await readComeBack(redis, keys, reason, hotspotId, nowMs).catch(() => null);
  let when: string = r.when;
  if (back && 'opens' in back) when = format(back.opens.today ? texts.opensToday : texts.opensOn, { day: t.weekdays[back.opens.weekday]!, time: hhmm(back.opens.minute) });
  if (back && 'afterOffice' in back) when = format(texts.afterOffice, { time: hhmm(back.afterOffice) });
  const policy = REFUSAL_POLICY[reason];
  return { title: r.title, body: r.body, when, allowClick: policy.offersClick, allowVoucher: policy.offersVoucher };
}
