import { Router, type Request, type Response } from 'express';
import { allowanceLeft } from './allowance';
import { FormSigner } from './form-token';
import type { PortalDeps } from './deps';
import { allowFormAction, renderError, renderPage } from './render';
import { formatDuration, type Messages } from './i18n/messages';
import { sendApiError } from '../api-errors';

/** What a status link names: the session, its hotspot, where to log out on the router, and where to go next. */
export interface StatusTicket {
  readonly sid: string;
  readonly hotspot: string;
  readonly logout: string;
  readonly next: string;
}

/** Status links stay valid for a day: longer than any session. */
export function statusSigner(key: Buffer): FormSigner {
  return new FormSigner(key, 24 * 3600_000);
}

/** The URL the router sends the citizen to after login: the status page, with a signed ticket, in the citizen's language. */
export function statusUrl(publicUrl: string, signer: FormSigner, ticket: StatusTicket, lang: string): string {
  const q = new URLSearchParams({ ...ticket, t: signer.sign({ ...ticket }), lang });
  return `${publicUrl}/hotspot/status?${q.toString()}`;
}

interface StatusView {
  readonly state: string;
  readonly downKbps: number;
  readonly upKbps: number;
  readonly minutesLeft: number;
  /** Minutes until the router ends this connection (its Session-Timeout), when that comes before the allowance ends. */
  readonly sessionEndsInMinutes: number | null;
  readonly mbLeft: number;
  readonly busyPercent: number;
  /** Whether the session runs on a voucher (what is left is the voucher's). */
  readonly voucher: boolean;
}

/** The citizen's day and the hotspot's load, from the session record, the device's usage and the live set. */
async function readStatus(deps: PortalDeps, ticket: StatusTicket): Promise<StatusView | null> {
  const { redis, keys } = deps;
  const [session, quota, live, time] = await Promise.all([
    redis.hgetall(keys.session(ticket.sid)),
    redis.hmget(keys.hotspot(ticket.hotspot), 'dailyMinutes', 'dailyMB', 'maxSessions'),
    redis.scard(keys.hotspotLive(ticket.hotspot)),
    redis.time(),
  ]);
  if (!session['state'] || !quota[0]) return null;
  const base = {
    state: session['state'],
    downKbps: Number(session['downKbps']),
    upKbps: Number(session['upKbps']),
    busyPercent: Math.min(100, Math.round((live / Math.max(1, Number(quota[2]))) * 100)),
  };
  const left = await allowanceLeft(redis, keys, { voucher: session['voucher'], mac: session['mac'] }, { dailyMinutes: Number(quota[0]), dailyMB: Number(quota[1]) }, Number(time[0]));
  const startedSec = Number(session['startedAt'] ?? session['admittedAt'] ?? 0) / 1000;
  const timeoutSec = Number(session['timeoutSec'] ?? 0);
  const sessionLeftSec = timeoutSec > 0 ? Math.max(0, Math.floor(startedSec + timeoutSec - Number(time[0]))) : Infinity;
  return {
    ...base,
    voucher: left.voucher,
    minutesLeft: Math.floor(left.seconds / 60),
    sessionEndsInMinutes: sessionLeftSec < left.seconds - 60 ? Math.floor(sessionLeftSec / 60) : null,
    mbLeft: Math.floor(left.bytes / 1048576),
  };
}

/**
 * The status page after login: minutes and MB left today, the current speed, how busy the hotspot is, and a
 * logout through the router. `status.json` feeds the page's refresh where JavaScript runs.
 */
export function statusRouter(deps: PortalDeps & { statusSigner: FormSigner }): Router {
  const router = Router();
  const ticketOf = (req: Request): StatusTicket | null => {
    const q = req.query;
    const ticket = { sid: q['sid'], hotspot: q['hotspot'], logout: q['logout'], next: q['next'] };
    if (![ticket.sid, ticket.hotspot, ticket.logout, ticket.next, q['t']].every((v) => typeof v === 'string' && v.length < 2100)) return null;
    const t = ticket as unknown as StatusTicket;
    return deps.statusSigner.verify({ ...t }, q['t'] as string) === 'ok' ? t : null;
  };

  router.get('/hotspot/status', async (req: Request, res: Response) => {
    const ticket = ticketOf(req);
    if (!ticket) return renderError(res, 400, 'errBadRequest');
    const hotspot = await deps.hotspots.find({ id: ticket.hotspot });
    const status = await readStatus(deps, ticket).catch(() => null);
    res.setHeader('Cache-Control', 'no-store');
    allowFormAction(res, new URL(ticket.logout).origin);
    const t = res.locals['t'] as Messages;
    const here = new URL(req.originalUrl, deps.publicUrl);
    here.searchParams.set('lang', t.otherLang);
    renderPage(res, 'status', {
      hotspot,
      status,
      ticket,
      jsonUrl: req.originalUrl.replace('/hotspot/status?', '/hotspot/status.json?'),
      otherLangUrl: `${here.pathname}${here.search}`,
      duration: (minutes: number) => formatDuration(minutes, t),
    });
  });

  router.get('/hotspot/status.json', async (req: Request, res: Response) => {
    const ticket = ticketOf(req);
    if (!ticket) {
      return sendApiError(res, 'BAD_TICKET', 'Open the status page from the link after login.');
    }
    const status = await readStatus(deps, ticket);
    res.setHeader('Cache-Control', 'no-store');
    const t = res.locals['t'] as Messages;
    res.json(status ? { ...status, timeLeft: formatDuration(status.minutesLeft, t) } : { state: 'closed' });
  });

  return router;
}
