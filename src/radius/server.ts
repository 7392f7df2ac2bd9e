import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import type { AccountingInput, Pool } from '../pool/pool';
import { authorize, precheck, type AccessDecision } from './access';
import type { NasRecord } from '../pool/site-store';
import { accountingAction, applyAccounting, type AccountingAction, type AccountingOutcome } from './accounting';
import type { AccountingSpool } from './accounting-spool';
import type { FailOpenPolicy } from './fail-open';
import { REPLY_MESSAGES } from '../refusals';
import { BreakerOpenError, isRedisUnavailable, type CircuitBreaker } from '../redis/breaker';
import { Code, decodeRequest, encodeResponse, peekCode, type DecodeFailure, type RadiusRequest } from './codec';
import type { NasDirectory } from './nas-directory';
import type { SessionControl } from './session-control';
import { normalizeSourceIp } from './nas-directory';
import type { Datagram } from './transport';
import { ReplyCache } from './reply-cache';

export interface RadiusServerDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly pool: Pool;
  readonly nas: NasDirectory;
  readonly logger: Logger;
  /** Stops waiting on a Redis that does not answer. */
  readonly breaker: CircuitBreaker;
  /** What to do with an Access-Request while Redis is unavailable. */
  readonly failOpen: FailOpenPolicy;
  /** Where accounting goes while Redis is unavailable. */
  readonly spool: AccountingSpool;
  /** Ends sessions whose device used up its day. */
  readonly sessions?: Pick<SessionControl, 'disconnect'>;
}

export type DropReason = DecodeFailure | 'unknown-nas' | 'wrong-port';

/** Counts of what the server did, by outcome, for tests and later for /metrics. */
export interface RadiusCounters {
  readonly received: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly accounted: number;
  readonly retransmits: number;
  readonly failedOpen: number;
  readonly spooled: number;
  /** Accounting the spool could not take whole (disk full): left unanswered for the NAS to retransmit. */
  readonly spoolFailures: number;
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>;
}

const RETRANSMIT_WINDOW_MS = 30_000;
/** Bounds the reply cache under a flood: about 30 s of replies at 3,000 requests/s (a reply and its key, ~180 octets). */
const REPLY_CACHE_BYTES = 16 * 1024 * 1024;
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * RADIUS authentication and accounting: routes a datagram to its NAS, verifies it with the NAS's secret,
 * decides, and encodes the signed reply. Drops (unknown NAS, bad secret, malformed) are silent on the wire,
 * counted, and logged at most once per interval per source and reason.
 */
export class RadiusServer {
  /** Replies by request (source, Identifier, authenticator), for retransmissions. */
  private readonly replies = new ReplyCache(RETRANSMIT_WINDOW_MS, REPLY_CACHE_BYTES);
  private readonly dropLogAt = new Map<string, number>();
  private readonly counts = { received: 0, accepted: 0, rejected: 0, accounted: 0, retransmits: 0, failedOpen: 0, spooled: 0, spoolFailures: 0 };
  private readonly dropped: Partial<Record<DropReason, number>> = {};

  private readonly logsOn: boolean;

  constructor(private readonly deps: RadiusServerDeps) {
    this.logsOn = deps.logger.isLevelEnabled('fatal');
  }

  get counters(): RadiusCounters {
    return { ...this.counts, dropped: { ...this.dropped } };
  }

  readonly handleAuth = (d: Datagram): Promise<Buffer | null> => this.handle(d, 'auth');
  readonly handleAcct = (d: Datagram): Promise<Buffer | null> => this.handle(d, 'acct');

  private async handle(d: Datagram, port: 'auth' | 'acct'): Promise<Buffer | null> {
    this.counts.received++;
    const sourceIp = normalizeSourceIp(d.address);
    const nas = this.deps.nas.lookup(sourceIp);
    if (!nas) return this.drop('unknown-nas', sourceIp);

    const code = peekCode(d.msg);
    const expected = port === 'auth' ? Code.AccessRequest : Code.AccountingRequest;
    if (code !== expected && code !== Code.StatusServer) {
      return this.drop(code === null ? 'too-short' : code === Code.AccessRequest || code === Code.AccountingRequest ? 'wrong-port' : 'unsupported-code', sourceIp);
    }

    // RFC 5080 2.2.2: same source, Identifier and authenticator within the window is a retransmission.
    const cached = this.replies.get(port, sourceIp, d.port, d.msg, Date.now());
    if (cached) {
      this.counts.retransmits++;
      return cached;
    }

    const decoded = decodeRequest(d.msg, nas.secret, {
      requireMessageAuthenticator: nas.requireMessageAuthenticator,
      limitProxyState: nas.limitProxyState,
    });
    if (!decoded.ok) return this.drop(decoded.reason, sourceIp);
    const req = decoded.request;
    // With logging off (LOG_LEVEL=silent) there is nothing to bind the request's fields to.
    const log = this.logsOn
      ? this.deps.logger.child({
          nas: nas.identifier,
          nasIp: nas.ip,
          id: req.identifier,
          callingStationId: req.attributes['Calling-Station-Id'],
          acctSessionId: req.attributes['Acct-Session-Id'],
        })
      : this.deps.logger;

    let reply: Buffer;
    if (req.code === Code.StatusServer) {
      // RFC 5997: answer on the auth port with Access-Accept, on the accounting port with Accounting-Response.
      reply = encodeResponse(port === 'auth' ? Code.AccessAccept : Code.AccountingResponse, req, [], nas.secret);
    } else if (req.code === Code.AccessRequest) {
      let decision;
      try {
        decision = await this.deps.breaker.run(() => authorize(this.deps, nas, req, log));
      } catch (err) {
        if (!isRedisUnavailable(err)) {
          // A bug or a bad record, not an outage: never an accept without a checked credential.
          log.error({ err }, 'Access-Request failed');
          decision = { code: Code.AccessReject, attributes: [['Reply-Message', REPLY_MESSAGES.system_error]], outcome: 'error' } as AccessDecision;
        } else {
          decision = this.failOpen(nas, req, err, log);
        }
      }
      if (decision.code === Code.AccessAccept) this.counts.accepted++;
      else this.counts.rejected++;
      if (this.logsOn) log.info({ userName: req.attributes['User-Name'], outcome: decision.outcome }, 'Access-Request');
      reply = encodeResponse(decision.code, req, decision.attributes, nas.secret);
    } else {
      const action = accountingAction(nas, req);
      const outcome = await this.account(nas, action, log);
      if (outcome === null) return null; // not on disk whole: no answer, so the NAS sends it again
      this.counts.accounted++;
      if (outcome === 'over-quota' && action.kind === 'session' && this.deps.sessions) {
        // After the reply: the NAS must not wait for the Disconnect round trip.
        const sessionId = action.input.sessionId;
        setImmediate(() => {
          this.deps.sessions!.disconnect(sessionId, 'daily-quota').then(
            (r) => log.info({ sessionId, result: r.result }, 'daily quota used up: session disconnected'),
            (err: unknown) => log.warn({ err, sessionId }, 'daily quota used up, but the Disconnect failed'),
          );
        });
      }
      if (this.logsOn) log.info({ userName: req.attributes['User-Name'], status: req.attributes['Acct-Status-Type'], outcome }, 'Accounting-Request');
      reply = encodeResponse(Code.AccountingResponse, req, [], nas.secret);
    }
    this.replies.set(port, sourceIp, d.port, d.msg, reply, Date.now());
    return reply;
  }

  /**
   * Applies accounting to the ledger, or keeps it in the spool: while Redis is unavailable, and while older
   * records still wait there, so that a session's records reach the ledger in the order the NAS sent them (a Stop
   * applied before its spooled Start and Interim would be undone by them). Accounting-On/Off is never spooled:
   * the NAS retries it. Null when the record could not be spooled whole.
   */
  private async account(nas: NasRecord, action: AccountingAction, log: Logger): Promise<AccountingOutcome | 'spooled' | null> {
    if (action.kind === 'session' && this.deps.spool.backlogged) return this.spool(action.input, log);
    try {
      return await this.deps.breaker.run(() => applyAccounting(this.deps.pool, nas, action, log));
    } catch (err) {
      if (action.kind !== 'session' || !isRedisUnavailable(err)) throw err;
      const outcome = this.spool(action.input, log);
      if (outcome && !(err instanceof BreakerOpenError)) log.warn({ err }, 'Redis unavailable: accounting spooled to disk');
      return outcome;
    }
  }

  private spool(input: AccountingInput, log: Logger): 'spooled' | null {
    try {
      this.deps.spool.append(input);
    } catch (err) {
      this.counts.spoolFailures++;
      log.error({ err }, 'accounting could not be written whole to the spool: not answered, the router will send it again');
      return null;
    }
    this.counts.spooled++;
    return 'spooled';
  }

  /** Access-Request while Redis is unavailable: a short session at a safe rate, within this process's budget. */
  private failOpen(nas: NasRecord, req: RadiusRequest, err: unknown, log: Logger): AccessDecision {
    if (!(err instanceof BreakerOpenError)) log.warn({ err }, 'Redis unavailable: failing open');
    // What can be checked without Redis still is: a grant-shaped user name, a password, the device's MAC.
    const pre = precheck(req);
    if (pre) return pre;
    const attributes = this.deps.failOpen.admit(nas);
    if (!attributes) {
      return { code: Code.AccessReject, attributes: [['Reply-Message', REPLY_MESSAGES.pool_full]], outcome: 'fail-open budget spent' };
    }
    this.counts.failedOpen++;
    const o = this.deps.failOpen.options;
    return { code: Code.AccessAccept, attributes, outcome: `fail-open ${o.upKbps}k/${o.downKbps}k for ${o.sessionTimeoutSec}s` };
  }

  private drop(reason: DropReason, sourceIp: string): null {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    const key = `${reason}:${sourceIp}`;
    const now = Date.now();
    const last = this.dropLogAt.get(key) ?? 0;
    if (now - last >= DROP_LOG_INTERVAL_MS) {
      this.dropLogAt.set(key, now);
      if (this.dropLogAt.size > 10_000) this.dropLogAt.clear();
      this.deps.logger.warn(
        { reason, sourceIp, droppedSoFar: this.dropped[reason] },
        reason === 'unknown-nas'
          ? 'dropped RADIUS packet from an address that is not a known NAS (add it to the site file)'
          : 'dropped RADIUS packet (check the shared secret on the router)',
      );
    }
    return null;
  }
}
