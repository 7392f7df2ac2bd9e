import { isIPv4 } from 'node:net';
import type { Logger } from '../log';
import type { Pool } from '../pool/pool';
import { ERROR_CAUSES, type CoaClient, type CoaOutcome } from './coa-client';
import type { ReplyAttribute } from './codec';
import type { NasDirectory } from './nas-directory';
import { coaRateAttributes } from './reply-profile';

/** RFC 5176 Error-Cause 503: the NAS has no such session, so it is gone already. */
const SESSION_CONTEXT_NOT_FOUND = 503;

export type ControlResult =
  | { readonly result: 'disconnected' | 'rerated' | 'gone' }
  | { readonly result: 'not-live' | 'nas-unknown' | 'stale' }
  | { readonly result: 'failed'; readonly outcome: CoaOutcome };

/**
 * Re-rates or disconnects a live session by id, through the NAS it runs on (RFC 5176), and keeps the ledger in
 * step: the pool changes only once the NAS has acknowledged. For the allocator and the admin console.
 */
export class SessionControl {
  constructor(
    private readonly deps: { pool: Pool; nas: NasDirectory; coa: CoaClient; logger: Logger },
  ) {}

  private async target(sessionId: string) {
    const session = await this.deps.pool.session(sessionId);
    if (!session || session['state'] === 'closed') return { session: null, nas: undefined } as const;
    return { session, nas: this.deps.nas.lookup(session['nasIp'] ?? '') } as const;
  }

  /** The attributes that name one session to its NAS (RFC 5176 3). */
  private identify(sessionId: string, session: Record<string, string>, nas: { ip: string; identifier: string }): ReplyAttribute[] {
    const attrs: ReplyAttribute[] = [['User-Name', sessionId]];
    if (session['acctSessionId']) attrs.push(['Acct-Session-Id', session['acctSessionId']]);
    if (isIPv4(nas.ip)) attrs.push(['NAS-IP-Address', nas.ip]);
    attrs.push(['NAS-Identifier', nas.identifier]);
    if (session['framedIp'] && isIPv4(session['framedIp'])) attrs.push(['Framed-IP-Address', session['framedIp']]);
    return attrs;
  }

  async disconnect(sessionId: string, reason = 'admin-reset'): Promise<ControlResult> {
    const { session, nas } = await this.target(sessionId);
    if (!session) return { result: 'not-live' };
    if (!nas) return { result: 'nas-unknown' };
    const outcome = await this.deps.coa.send('disconnect', { ip: nas.ip, port: nas.coaPort, secret: nas.secret }, this.identify(sessionId, session, nas));
    const log = this.deps.logger.child({ sessionId, nas: nas.identifier });
    if (outcome.ok || (outcome.code === 'nak' && outcome.errorCause === SESSION_CONTEXT_NOT_FOUND)) {
      await this.deps.pool.release(sessionId, session['hotspotId'] ?? '', reason);
      log.info({ reason, outcome: outcome.code }, 'session disconnected');
      return { result: outcome.ok ? 'disconnected' : 'gone' };
    }
    log.warn({ outcome, meaning: outcome.code === 'nak' ? ERROR_CAUSES[outcome.errorCause ?? 0] : undefined }, 'Disconnect-Request failed; the session stays booked');
    return { result: 'failed', outcome };
  }

  /** With `epoch`, the allocator's fencing epoch: the ledger refuses the change if a newer allocator exists. */
  async reRate(sessionId: string, downKbps: number, upKbps: number, epoch?: number): Promise<ControlResult> {
    const { session, nas } = await this.target(sessionId);
    if (!session) return { result: 'not-live' };
    if (!nas) return { result: 'nas-unknown' };
    if (nas.rateChange === 'disconnect') return this.disconnect(sessionId, 'rate-change');
    const log = this.deps.logger.child({ sessionId, nas: nas.identifier });
    const oldDown = Number(session['downKbps']);
    const oldUp = Number(session['upKbps']);
    // An increase is booked before the router hears of it, and only as far as the pool allows: the ledger never
    // holds less than the routers enforce. A decrease is booked after the router acknowledged it, for the same reason.
    let target = { downKbps, upKbps };
    if (downKbps > oldDown || upKbps > oldUp) {
      const booked = await this.deps.pool.rerate(sessionId, Math.max(oldDown, downKbps), Math.max(oldUp, upKbps), epoch);
      if (booked.code === 'stale-epoch' || booked.code === 'not-live') return { result: booked.code === 'not-live' ? 'not-live' : 'stale' };
      target = { downKbps: downKbps > oldDown ? booked.downKbps : downKbps, upKbps: upKbps > oldUp ? booked.upKbps : upKbps };
    }
    const granted = {
      timeoutSec: Number(session['timeoutSec'] ?? 0),
      idleSec: Number(session['idleSec'] ?? 0),
      interimSec: Number(session['interimSec'] ?? 0),
      bytesLimit: Number(session['bytesLimit'] ?? 0),
    };
    const attrs = [...this.identify(sessionId, session, nas), ...coaRateAttributes(nas.type, target.downKbps, target.upKbps, granted)];
    const outcome = await this.deps.coa.send('coa', { ip: nas.ip, port: nas.coaPort, secret: nas.secret }, attrs);
    if (outcome.ok) {
      const final = await this.deps.pool.rerate(sessionId, target.downKbps, target.upKbps, epoch);
      if (final.code === 'stale-epoch') {
        log.warn('re-rated on the router, but a newer allocator owns the ledger now; it will correct the rate');
        return { result: 'stale' };
      }
      log.info(target, 'session re-rated');
      return { result: 'rerated' };
    }
    if (outcome.code === 'aborted') {
      // Limpah is stopping and the router may have applied it: the ledger keeps the higher of the two rates (never
      // less than the router enforces), and the next allocator sends the session its rate again.
      await this.deps.pool.flagRerate(sessionId);
      log.warn('stopping before the router answered the CoA-Request; the session will be re-rated after the restart');
      return { result: 'failed', outcome };
    }
    // Not applied on the router: give back what was booked ahead.
    if (target.downKbps > oldDown || target.upKbps > oldUp) await this.deps.pool.rerate(sessionId, oldDown, oldUp);
    if (outcome.code === 'nak' && outcome.errorCause === SESSION_CONTEXT_NOT_FOUND) {
      await this.deps.pool.release(sessionId, session['hotspotId'] ?? '', 'gone-on-nas');
      return { result: 'gone' };
    }
    if (outcome.code === 'nak') {
      // The NAS cannot change this session's rate (e.g. RouterOS hotspot sessions): end it, and the next
      // login gets the new rate.
      log.warn({ errorCause: outcome.errorCause, meaning: ERROR_CAUSES[outcome.errorCause ?? 0] }, 'CoA refused; disconnecting instead');
      return this.disconnect(sessionId, 'rate-change');
    }
    log.warn({ outcome }, 'CoA-Request timed out; the session keeps its rate');
    return { result: 'failed', outcome };
  }
}
