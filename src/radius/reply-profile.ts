import type { Admission } from '../pool/pool';
import type { NasRecord } from '../pool/site-store';
import { Vendor, type ReplyAttribute } from './codec';

const GIGAWORD = 2 ** 32;
const MAX_UINT32 = GIGAWORD - 1;

/**
 * The attributes that set a session's rate, by NAS type; used in Access-Accept and in CoA-Request.
 * MikroTik reads rx/tx from the router's side: rx is what it receives from the client, the client's upload.
 * ChilliSpot bandwidth is in kbit/s, WISPr in bit/s (32 bits, so clamped).
 */
export function rateAttributes(type: NasRecord['type'], downKbps: number, upKbps: number): ReplyAttribute[] {
  const attrs: ReplyAttribute[] = [];
  switch (type) {
    case 'mikrotik':
      attrs.push({ vendor: Vendor.Mikrotik, name: 'Mikrotik-Rate-Limit', value: `${upKbps}k/${downKbps}k` });
      break;
    case 'chilli':
      attrs.push({ vendor: Vendor.ChilliSpot, name: 'ChilliSpot-Bandwidth-Max-Up', value: upKbps });
      attrs.push({ vendor: Vendor.ChilliSpot, name: 'ChilliSpot-Bandwidth-Max-Down', value: downKbps });
      break;
  }
  attrs.push({ vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Up', value: Math.min(MAX_UINT32, upKbps * 1000) });
  attrs.push({ vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Down', value: Math.min(MAX_UINT32, downKbps * 1000) });
  return attrs;
}

/** The bytes left today, as the NAS type's total-volume limit (low 32 bits and gigawords). */
function volumeAttributes(type: NasRecord['type'], bytesLeft: number): ReplyAttribute[] {
  const low = bytesLeft % GIGAWORD;
  const high = Math.floor(bytesLeft / GIGAWORD);
  switch (type) {
    case 'mikrotik':
      return [
        { vendor: Vendor.Mikrotik, name: 'Mikrotik-Total-Limit', value: low },
        { vendor: Vendor.Mikrotik, name: 'Mikrotik-Total-Limit-Gigawords', value: high },
      ];
    case 'chilli':
      return [
        { vendor: Vendor.ChilliSpot, name: 'ChilliSpot-Max-Total-Octets', value: low },
        { vendor: Vendor.ChilliSpot, name: 'ChilliSpot-Max-Total-Gigawords', value: high },
      ];
  }
}

/** What a session was granted, as stored in its ledger record: the limits a CoA must say again on CoovaChilli. */
export interface GrantedLimits {
  readonly timeoutSec: number;
  readonly idleSec: number;
  readonly interimSec: number;
  readonly bytesLimit: number;
}

/** A session's whole grant as attributes: its limits (those above 0), its rates and its volume. */
function grantAttributes(type: NasRecord['type'], downKbps: number, upKbps: number, limits: GrantedLimits): ReplyAttribute[] {
  const attrs: ReplyAttribute[] = [];
  if (limits.timeoutSec > 0) attrs.push(['Session-Timeout', limits.timeoutSec]);
  if (limits.idleSec > 0) attrs.push(['Idle-Timeout', limits.idleSec]);
  if (limits.interimSec > 0) attrs.push(['Acct-Interim-Interval', limits.interimSec]);
  attrs.push(...rateAttributes(type, downKbps, upKbps));
  if (limits.bytesLimit > 0) attrs.push(...volumeAttributes(type, limits.bytesLimit));
  return attrs;
}

/**
 * The Access-Accept attributes for an admitted session: Session-Timeout (the minutes left today, capped by the
 * session limit), Idle-Timeout, Acct-Interim-Interval, the rate and the bytes left today.
 */
export function acceptAttributes(nas: Pick<NasRecord, 'type'>, grant: Extract<Admission, { ok: true }>): ReplyAttribute[] {
  return grantAttributes(nas.type, grant.downKbps, grant.upKbps, {
    timeoutSec: grant.sessionTimeoutSec,
    idleSec: grant.idleTimeoutSec,
    interimSec: grant.interimSec,
    bytesLimit: grant.bytesLeft,
  });
}

/**
 * The CoA-Request attributes that change a live session's rate.
 * - MikroTik: the rates only (RouterOS is documented to apply the attributes a CoA carries; no RouterOS image is
 *   available to prove it here, and a NAS that refuses gets a Disconnect instead).
 * - CoovaChilli replaces every session parameter with what the CoA carries (an attribute left out becomes 0, no
 *   limit, and the interim interval falls back to its default), so the CoA repeats the whole grant. Chilli counts
 *   Session-Timeout and Max-Total-Octets from the session's start, not from the CoA, so the values granted at login
 *   keep the session's end and its volume where they were.
 */
export function coaRateAttributes(type: NasRecord['type'], downKbps: number, upKbps: number, granted: GrantedLimits): ReplyAttribute[] {
  return type === 'chilli' ? grantAttributes(type, downKbps, upKbps, granted) : rateAttributes(type, downKbps, upKbps);
}
