import type { Logger } from '../log';
import { normalizeMac } from '../mac';
import type { AccountingInput, AccountingStatus, Pool } from '../pool/pool';
import type { NasRecord } from '../pool/site-store';
import type { RadiusRequest } from './codec';

const GIGAWORD = 2 ** 32;
/** Counters above this (1 PiB, or 35 years of session time) are nonsense from a broken NAS; clamped. */
const MAX_COUNTER = 2 ** 50;

function num(req: RadiusRequest, name: string): number {
  const v = req.attributes[name];
  return typeof v === 'number' ? v : 0;
}

function str(req: RadiusRequest, name: string): string {
  const v = req.attributes[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function counter(value: number): number {
  return Math.min(MAX_COUNTER, Math.max(0, Math.floor(value)));
}

const STATUS: Readonly<Record<string, AccountingStatus>> = { Start: 'start', 'Interim-Update': 'interim', Stop: 'stop' };

export type AccountingOutcome =
  | 'stored'
  | 'duplicate'
  | 'closed'
  | 'revived'
  | 'adopted'
  | 'over-quota'
  | 'unmatched'
  | 'foreign'
  | 'nas-reset'
  | 'ignored';

/** Releases every live session that runs on this NAS; returns how many. */
async function closeNasSessions(pool: Pool, nas: NasRecord): Promise<number> {
  let closed = 0;
  for (const sessionId of await pool.liveSessions(nas.hotspotId)) {
    const session = await pool.session(sessionId);
    if (session?.['nasIp'] !== nas.ip) continue;
    if ((await pool.release(sessionId, nas.hotspotId, 'nas-reboot')) === 'released') closed++;
  }
  return closed;
}

/** What one Accounting-Request asks of the ledger. */
export type AccountingAction =
  | { readonly kind: 'session'; readonly input: AccountingInput }
  | { readonly kind: 'nas-reset'; readonly status: string }
  | { readonly kind: 'ignored'; readonly status: string };

/** Reads an Accounting-Request into what the ledger must do; pure, so a record can be spooled when Redis is down. */
export function accountingAction(nas: NasRecord, req: RadiusRequest): AccountingAction {
  const statusName = str(req, 'Acct-Status-Type');
  // RFC 2866: Accounting-On/Off means the NAS (re)started or is stopping; none of its sessions survive.
  if (statusName === 'Accounting-On' || statusName === 'Accounting-Off') return { kind: 'nas-reset', status: statusName };
  const status = STATUS[statusName];
  if (!status) return { kind: 'ignored', status: statusName };
  const sessionId = str(req, 'User-Name');
  const mac = normalizeMac(str(req, 'Calling-Station-Id')) ?? '';
  const record = {
    nasIp: nas.ip,
    status,
    userName: sessionId,
    acctSessionId: str(req, 'Acct-Session-Id'),
    mac,
    framedIp: str(req, 'Framed-IP-Address'),
    sessionTime: counter(num(req, 'Acct-Session-Time')),
    inputOctets: counter(num(req, 'Acct-Input-Octets') + num(req, 'Acct-Input-Gigawords') * GIGAWORD),
    outputOctets: counter(num(req, 'Acct-Output-Octets') + num(req, 'Acct-Output-Gigawords') * GIGAWORD),
    terminateCause: str(req, 'Acct-Terminate-Cause'),
  };
  return {
    kind: 'session',
    input: {
      status,
      sessionId: sessionId || `unnamed:${record.acctSessionId}`,
      mac: mac || '00:00:00:00:00:00',
      hotspotId: nas.hotspotId,
      acctSessionId: record.acctSessionId,
      sessionTimeSec: record.sessionTime,
      inputBytes: record.inputOctets,
      outputBytes: record.outputOctets,
      terminateCause: record.terminateCause,
      framedIp: record.framedIp,
      nasIp: nas.ip,
      record,
    },
  };
}

/**
 * Applies an accounting action to the ledger. The caller answers the NAS only after this resolves, so a record
 * the NAS believes delivered is in Redis (or in the spool). Counters are totals; the script adds only their
 * growth, so a retransmission or a duplicate counts once.
 */
export async function applyAccounting(pool: Pool, nas: NasRecord, action: AccountingAction, log: Logger): Promise<AccountingOutcome> {
  if (action.kind === 'ignored') {
    log.info({ status: action.status }, 'accounting status acknowledged without action');
    return 'ignored';
  }
  if (action.kind === 'nas-reset') {
    const closed = await closeNasSessions(pool, nas);
    log.info({ status: action.status, closed }, 'NAS restarted or stopped: its sessions are closed');
    return 'nas-reset';
  }
  const { input } = action;
  const result = await pool.account(input);
  switch (result.code) {
    case 'ok':
      return 'stored';
    case 'duplicate':
      return 'duplicate';
    case 'closed':
      return 'closed';
    case 'adopted':
      log.warn({ sessionId: input.sessionId }, 'accounting for a session Redis did not know (failover?): adopted and booked');
      return 'adopted';
    case 'over_quota':
      return 'over-quota';
    case 'revived':
      log.warn({ sessionId: input.sessionId }, 'a session released for silence reported in again; its rate is booked again');
      return 'revived';
    case 'unknown':
      log.warn({ sessionId: input.sessionId, acctSessionId: input.acctSessionId }, 'accounting for an unknown session; kept for reconcile');
      return 'unmatched';
    case 'foreign':
      log.warn({ sessionId: input.sessionId }, 'accounting from a router for a session that runs on another router: ignored');
      return 'foreign';
  }
}
