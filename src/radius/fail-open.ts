import type { NasRecord } from '../pool/site-store';
import type { ReplyAttribute } from './codec';
import { rateAttributes } from './reply-profile';

export interface FailOpenOptions {
  readonly downKbps: number;
  readonly upKbps: number;
  readonly sessionTimeoutSec: number;
  /** Sessions this process may let in without the ledger at once (they end by Session-Timeout). */
  readonly maxSessions: number;
}

/**
 * When Redis cannot be reached, citizens still get online: at a small safe rate, for a short Session-Timeout,
 * and no more of them per process than the budget. Agencies are protected by the router's queues, not by the
 * ledger; when the time is up, the citizen logs in again through the ledger.
 */
export class FailOpenPolicy {
  private readonly expiries: number[] = [];

  constructor(readonly options: FailOpenOptions) {}

  /** The Access-Accept attributes, or null when the budget is spent. */
  admit(nas: Pick<NasRecord, 'type'>, nowMs = Date.now()): ReplyAttribute[] | null {
    while (this.expiries.length > 0 && this.expiries[0]! <= nowMs) this.expiries.shift();
    if (this.expiries.length >= this.options.maxSessions) return null;
    this.expiries.push(nowMs + this.options.sessionTimeoutSec * 1000);
    return [
      ['Session-Timeout', this.options.sessionTimeoutSec],
      ['Idle-Timeout', Math.min(600, this.options.sessionTimeoutSec)],
      ...rateAttributes(nas.type, this.options.downKbps, this.options.upKbps),
    ];
  }
}
