import type { Admission } from '../pool/pool';
import type { NasRecord } from '../pool/site-store';
import { Vendor, type ReplyAttribute } from './codec';

const GIGAWORD = 2 ** 32;
const MAX_UINT32 = GIGAWORD - 1;

/** The Access-Accept attributes for an admitted session, by NAS type. */
export function acceptAttributes(nas: Pick<NasRecord, 'type'>, grant: Extract<Admission, { ok: true }>): ReplyAttribute[] {
  const attrs: ReplyAttribute[] = [
    ['Session-Timeout', grant.sessionTimeoutSec],
    ['Idle-Timeout', grant.idleTimeoutSec],
    ['Acct-Interim-Interval', grant.interimSec],
  ];
  switch (nas.type) {
    case 'mikrotik':
      // rx/tx from the router's side: rx is what it receives from the client, the client's upload.
      attrs.push({ vendor: Vendor.Mikrotik, name: 'Mikrotik-Rate-Limit', value: `${grant.upKbps}k/${grant.downKbps}k` });
      attrs.push({ vendor: Vendor.Mikrotik, name: 'Mikrotik-Total-Limit', value: grant.bytesLeft % GIGAWORD });
      attrs.push({ vendor: Vendor.Mikrotik, name: 'Mikrotik-Total-Limit-Gigawords', value: Math.floor(grant.bytesLeft / GIGAWORD) });
      break;
  }
  attrs.push({ vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Up', value: Math.min(MAX_UINT32, grant.upKbps * 1000) });
  attrs.push({ vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Down', value: Math.min(MAX_UINT32, grant.downKbps * 1000) });
  return attrs;
}
