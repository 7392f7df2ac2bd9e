import { recordRefusal } from '../pool/refusal-store';
import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import { normalizeMac } from '../mac';
import { isGrantUsername } from '../grants/grants';
import type { Keys } from '../redis/keys';
import type { AdmitInput, Pool } from '../pool/pool';

/** The credential of a second admission, once CHAP is checked here. */
const VERIFIED = Object.freeze({ kind: 'verified', value: '' } as const);
import type { RefusalReason } from '../refusals';
import type { NasRecord } from '../pool/site-store';
import { verifyChap } from '../grants/chap';
import { Code, type RadiusRequest, type ReplyAttribute } from './codec';
import { acceptAttributes } from './reply-profile';
import { readComeBack, replyMessage, REPLY_MESSAGES } from '../refusals';
import { nextOpening, officeHoursEnd } from '../pool/capacity';
import type { OfficeHours } from '../config/site';

export interface AccessDecision {
  readonly code: typeof Code.AccessAccept | typeof Code.AccessReject;
  readonly attributes: ReplyAttribute[];
  /** For the log: why, or the granted rate. */
  readonly outcome: string;
  /** Why it was refused. */
  readonly reason?: RefusalReason;
}

function reject(reason: RefusalReason, outcome: string = reason): AccessDecision {
  return { code: Code.AccessReject, attributes: [['Reply-Message', REPLY_MESSAGES[reason]]], outcome, reason };
}

function text(req: RadiusRequest, name: string): string | undefined {
  const v = req.attributes[name];
  return typeof v === 'string' ? v : undefined;
}

function octets(req: RadiusRequest, name: string): Buffer | undefined {
  const v = req.attributes[name];
  return Buffer.isBuffer(v) ? v : undefined;
}

/**
 * A key that names one Access-Request of a NAS (its Identifier and Request Authenticator), so that a retransmission
 * is recognised by the admit script too; the script also checks that it comes from the NAS the session is on. Kept
 * in the session record, so short: base64, not hex.
 */
export function requestKey(req: RadiusRequest): string {
  return `${req.identifier}:${req.authenticator.toString('base64')}`;
}

/** The fields of an Access-Request that a grant login needs, each read and checked once. */
interface AccessFields {
  readonly username: string;
  readonly pap: string | undefined;
  readonly chap: Buffer | undefined;
  /** The CHAP challenge: CHAP-Challenge, or the Request Authenticator when there is none (RFC 2865 2.2). */
  readonly challenge: Buffer;
  readonly mac: string;
}

/** The fields of a grant login, or the refusal when the request cannot be one: no grant user name, no password, no valid MAC. */
function accessFields(req: RadiusRequest): AccessFields | AccessDecision {
  const username = text(req, 'User-Name');
  if (!username || !isGrantUsername(username)) return reject('grant_invalid', 'not a grant user name');
  const chap = octets(req, 'CHAP-Password');
  const pap = text(req, 'User-Password');
  if (!chap && pap === undefined) return reject('grant_invalid', 'no password');
  if (chap && chap.length !== 17) return reject('grant_invalid', 'malformed CHAP-Password');
  const mac = normalizeMac(text(req, 'Calling-Station-Id'));
  if (!mac) return reject('mac_mismatch', 'no valid Calling-Station-Id');
  return { username, pap, chap, challenge: octets(req, 'CHAP-Challenge') ?? req.authenticator, mac };
}

/** What can be refused without Redis: a user name that is no grant, no password, no valid MAC. */
export function precheck(req: RadiusRequest): AccessDecision | null {
  const f = accessFields(req);
  return 'code' in f ? f : null;
}

/**
 * Decides an Access-Request: the grant must exist, the password must match (PAP or CHAP), the grant must
 * belong to this NAS's hotspot and to the Calling-Station-Id, and the pool must admit the session. The
 * credential is checked inside the admission script, so that the usual login costs one Redis round trip.
 */
export async function authorize(
  deps: { redis: Redis; keys: Keys; pool: Pool },
  nas: NasRecord,
  req: RadiusRequest,
  log: Logger,
): Promise<AccessDecision> {
  const fields = accessFields(req);
  const decision = 'code' in fields ? fields : await decide(deps, nas, req, fields, log);
  const mac = decision.code !== Code.AccessReject ? null : 'code' in fields ? normalizeMac(text(req, 'Calling-Station-Id')) : fields.mac;
  if (mac && decision.reason) {
    // For the portal: the router shows the citizen its login page again, and the portal explains this refusal in
    // the citizen's language, with when to come back. Not awaited: the NAS gets its answer first.
    recordRefusal(deps.redis, deps.keys, nas.hotspotId, mac, decision.reason).catch((err: unknown) => log.debug({ err }, 'refusal not recorded'));
  }
  return decision;
}

async function decide(
  deps: { redis: Redis; keys: Keys; pool: Pool },
  nas: NasRecord,
  req: RadiusRequest,
  f: AccessFields,
  log: Logger,
): Promise<AccessDecision> {
  const identifier = text(req, 'NAS-Identifier');
  if (identifier !== undefined && identifier !== nas.identifier) {
    // Not a refusal: a router renamed by mistake would lock out every citizen. The source address and the
    // shared secret already identify the NAS; the mismatch is for the operator to fix.
    log.warn({ expected: nas.identifier, got: identifier }, 'NAS-Identifier differs from the site file; fix the router identity');
  }
  const input: AdmitInput = {
    sessionId: f.username,
    mac: f.mac,
    hotspotId: nas.hotspotId,
    nasIp: nas.ip,
    acctSessionId: text(req, 'Acct-Session-Id') ?? '',
    requestKey: requestKey(req),
    credential: f.chap
      ? { kind: 'chap', value: `${f.chap.toString('hex', 0, 1)}:${f.challenge.toString('hex')}:${f.chap.toString('hex', 1)}` }
      : { kind: 'pap', value: f.pap ?? '' },
  };
  let admission = await deps.pool.admit(input);
  if (!admission.ok && admission.reason === 'check_password') {
    // A CHAP challenge the portal did not compute the response for: check it here, then admit as verified.
    if (!f.chap || !verifyChap(f.chap, f.challenge, admission.password)) return reject('grant_invalid', 'wrong CHAP password');
    admission = await deps.pool.admit({ ...input, credential: VERIFIED });
  }
  if (!admission.ok && (admission.reason === 'closed_hours' || admission.reason === 'pool_full')) {
    const back = await readComeBack(deps.redis, deps.keys, admission.reason, nas.hotspotId, Date.now());
    return { code: Code.AccessReject, attributes: [['Reply-Message', replyMessage(admission.reason, back)]], outcome: admission.reason, reason: admission.reason };
  }
  if (!admission.ok) return reject(admission.reason === 'check_password' ? 'grant_invalid' : admission.reason);
  log.debug({ sessionId: f.username, downKbps: admission.downKbps, upKbps: admission.upKbps }, 'admitted');
  return {
    code: Code.AccessAccept,
    attributes: acceptAttributes(nas, admission),
    outcome: `accept ${admission.upKbps}k/${admission.downKbps}k`,
  };
}
