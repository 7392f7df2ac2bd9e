import { isRefusalReason, type RefusalReason } from '../refusals';
import type { RedisClient as Redis } from '../redis/client';
import { Keys } from '../redis/keys';
import { redisNowMs } from '../redis/time';

/** Why an admission was refused; each has a citizen-facing message in radius/reply-messages.ts. */
export type { RefusalReason } from '../refusals';

export type Admission =
  | { readonly ok: false; readonly reason: 'check_password'; readonly password: string }
  | {
      readonly ok: true;
      readonly downKbps: number;
      readonly upKbps: number;
      readonly sessionTimeoutSec: number;
      readonly bytesLeft: number;
      readonly idleTimeoutSec: number;
      readonly interimSec: number;
    }
  | { readonly ok: false; readonly reason: RefusalReason };

export interface AdmitInput {
  readonly sessionId: string;
  readonly mac: string;
  readonly hotspotId: string;
  readonly nasIp: string;
  readonly acctSessionId: string;
  /** Identifies one Access-Request (NAS, Identifier, authenticator) so a retransmission gets the same answer. */
  readonly requestKey: string;
  /** The credential to check against the grant; 'verified' when the caller checked it. */
  readonly credential: { readonly kind: 'pap' | 'chap' | 'verified'; readonly value: string };
}

export type AccountingStatus = 'start' | 'interim' | 'stop';

export interface AccountingInput {
  readonly status: AccountingStatus;
  readonly sessionId: string;
  readonly mac: string;
  readonly hotspotId: string;
  readonly acctSessionId: string;
  readonly sessionTimeSec: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly terminateCause: string;
  readonly framedIp: string;
  /** The router that sent it: only the router a session runs on may account for it. */
  readonly nasIp: string;
  readonly record: Record<string, unknown>;
}

export type AccountingResult = {
  readonly code: 'ok' | 'duplicate' | 'closed' | 'revived' | 'adopted' | 'over_quota' | 'unknown' | 'foreign';
  readonly state: string;
};

export interface PoolSnapshot {
  readonly capDownKbps: number;
  readonly capUpKbps: number;
  readonly allocDownKbps: number;
  readonly allocUpKbps: number;
  readonly sessions: number;
}

export interface PoolOptions {
  /** How long an admitted session may stay pending before Accounting-Start, ms. */
  readonly pendingLeaseMs?: number;
  /** How long a cached admission answers retransmissions, ms. */
  readonly requestCacheMs?: number;
  /** How long a closed session record is kept, seconds. */
  readonly closedRetentionSec?: number;
  /** How long the per-day totals for reports are kept, seconds. */
  readonly aggregateRetentionSec?: number;
  /** Pseudonymises MACs in the per-day device counts. */
  readonly deviceSalt?: string;
}

/** The ledger: admission, accounting and release, each one Lua script, all keys under one hash tag. */
export class Pool {
  private readonly pendingLeaseMs: string;
  private readonly requestCacheMs: string;
  private readonly closedRetentionSec: number;
  private readonly aggregateRetentionSec: string;
  private readonly deviceSalt: string;
  /** The keys every admission names, built once. */
  private readonly poolKey: string;
  private readonly leasesKey: string;
  private readonly prefix: string;

  constructor(private readonly redis: Redis, readonly keys: Keys, options: PoolOptions = {}) {
    this.pendingLeaseMs = String(options.pendingLeaseMs ?? 180_000);
    this.requestCacheMs = String(options.requestCacheMs ?? 30_000);
    this.closedRetentionSec = options.closedRetentionSec ?? 7 * 86400;
    this.aggregateRetentionSec = String(options.aggregateRetentionSec ?? 800 * 86400);
    this.deviceSalt = options.deviceSalt ?? 'limpah';
    this.poolKey = keys.pool();
    this.leasesKey = keys.leases();
    this.prefix = keys.prefix();
  }

  async admit(input: AdmitInput, replaced = false): Promise<Admission> {
    const k = this.keys;
    const r = await this.redis.admit(
      this.poolKey, k.hotspot(input.hotspotId), k.hotspotLive(input.hotspotId), k.grant(input.sessionId),
      k.session(input.sessionId), this.leasesKey, k.device(input.mac), k.deviceBlock(input.mac),
      this.prefix, input.sessionId, input.mac, input.hotspotId, input.nasIp, input.acctSessionId, this.pendingLeaseMs,
      this.requestCacheMs, input.credential.kind, input.credential.value, this.deviceSalt, this.aggregateRetentionSec,
      input.requestKey,
    );
    const code = String(r[0]);
    if (code === 'check_password') return { ok: false, reason: 'check_password', password: String(r[1]) };
    if (code === 'device_busy' && !replaced) {
      // The device logs in again: its older session is gone on the router. End it, then admit once more.
      const oldest = String(r[1]);
      const hotspotId = (await this.redis.hget(k.session(oldest), 'hotspotId')) ?? input.hotspotId;
      await this.release(oldest, hotspotId, 'replaced-by-new-login');
      return this.admit(input, true);
    }
    if (code === 'device_busy') return { ok: false, reason: 'hotspot_full' };
    if (code === 'wrong_password') return { ok: false, reason: 'grant_invalid' };
    if (code === 'ok') {
      return {
        ok: true,
        downKbps: Number(r[1]),
        upKbps: Number(r[2]),
        sessionTimeoutSec: Number(r[3]),
        bytesLeft: Number(r[4]),
        idleTimeoutSec: Number(r[5]),
        interimSec: Number(r[6]),
      };
    }
    if (!isRefusalReason(code)) throw new Error(`admit script returned unknown code ${code}`);
    return { ok: false, reason: code };
  }

  async account(input: AccountingInput): Promise<AccountingResult> {
    const k = this.keys;
    // One round trip: the script finds the session's own hotspot and device (never the packet's) itself.
    const r = await this.redis.account(
      this.poolKey, k.session(input.sessionId), this.leasesKey, k.unmatchedAccounting(), k.grant(input.sessionId),
      this.prefix, input.status, input.sessionId, input.acctSessionId, input.sessionTimeSec, input.inputBytes,
      input.outputBytes, input.terminateCause, JSON.stringify(input.record), this.closedRetentionSec, input.hotspotId,
      input.framedIp, input.nasIp, input.mac, this.aggregateRetentionSec,
    );
    return { code: String(r[0]) as AccountingResult['code'], state: String(r[1]) };
  }

  /** Releases a live session without accounting. With onlyIfExpired, a session whose lease was renewed stays. */
  async release(sessionId: string, hotspotId: string, reason: string, onlyIfExpired = false): Promise<'released' | 'not-live' | 'lease-renewed'> {
    const k = this.keys;
    return this.redis.release(
      k.pool(), k.session(sessionId), k.hotspotLive(hotspotId), k.leases(),
      k.prefix(), sessionId, reason, this.closedRetentionSec, onlyIfExpired ? '1' : '0',
    );
  }

  /** Marks a live session for the allocator to send its rate again (its router may enforce another one). */
  async flagRerate(sessionId: string): Promise<void> {
    await this.redis.hset(this.keys.session(sessionId), 'needsRerate', 1);
  }

  /** Records a new rate for a live session (after the NAS acknowledged it), moving the difference in the pool. */
  /**
   * Books a live session's new rate. Increases are booked only as far as the pool and the hotspot's share allow;
   * the result says what is booked now.
   */
  async rerate(
    sessionId: string,
    downKbps: number,
    upKbps: number,
    epoch?: number,
  ): Promise<{ code: 'rerated' | 'unchanged' | 'not-live' | 'stale-epoch'; downKbps: number; upKbps: number }> {
    const hotspotId = (await this.redis.hget(this.keys.session(sessionId), 'hotspotId')) ?? '';
    const r = await this.redis.rerate(
      this.keys.pool(), this.keys.session(sessionId), this.keys.allocatorEpoch(), this.keys.hotspot(hotspotId),
      Math.round(downKbps), Math.round(upKbps), epoch ?? '',
    );
    return { code: r[0] as 'rerated', downKbps: Number(r[1]), upKbps: Number(r[2]) };
  }

  /** Takes or renews the allocator lease for `owner`; returns the epoch held, or 0 if another process has it. */
  async allocatorLease(owner: string, leaseMs: number): Promise<number> {
    return Number(await this.redis.allocatorLease(this.keys.allocatorLease(), this.keys.allocatorEpoch(), owner, leaseMs));
  }

  async snapshot(): Promise<PoolSnapshot> {
    const p = await this.redis.hmget(this.keys.pool(), 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'sessions');
    const n = (v: string | null | undefined) => Number(v ?? 0);
    return { capDownKbps: n(p[0]), capUpKbps: n(p[1]), allocDownKbps: n(p[2]), allocUpKbps: n(p[3]), sessions: n(p[4]) };
  }

  async session(sessionId: string): Promise<Record<string, string> | null> {
    const s = await this.redis.hgetall(this.keys.session(sessionId));
    return Object.keys(s).length === 0 ? null : s;
  }

  /** The live (pending or active) sessions of a hotspot. */
  liveSessions(hotspotId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.hotspotLive(hotspotId));
  }

  /** Session ids whose lease ended before Redis time now. */
  async expiredLeases(limit = 500): Promise<string[]> {
    const nowMs = await redisNowMs(this.redis);
    return this.redis.zrangebyscore(this.keys.leases(), '-inf', nowMs, 'LIMIT', 0, limit);
  }
}
