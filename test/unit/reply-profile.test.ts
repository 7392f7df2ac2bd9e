import { acceptAttributes, coaRateAttributes, rateAttributes } from '../../src/radius/reply-profile';

const grant = { ok: true as const, downKbps: 2048, upKbps: 1024, sessionTimeoutSec: 1800, bytesLeft: 5 * 2 ** 32 + 7, idleTimeoutSec: 600, interimSec: 300 };
const byName = (attrs: ReturnType<typeof acceptAttributes>) =>
  Object.fromEntries(attrs.map((a) => ('vendor' in a ? [a.name, a.value] : [a[0], a[1]])));

describe('reply profiles by NAS type', () => {
  it('MikroTik: Rate-Limit as upload/download from the router side, Total-Limit with Gigawords, WISPr in bit/s', () => {
    expect(byName(acceptAttributes({ type: 'mikrotik' }, grant))).toEqual({
      'Session-Timeout': 1800,
      'Idle-Timeout': 600,
      'Acct-Interim-Interval': 300,
      'Mikrotik-Rate-Limit': '1024k/2048k',
      'Mikrotik-Total-Limit': 7,
      'Mikrotik-Total-Limit-Gigawords': 5,
      'WISPr-Bandwidth-Max-Up': 1024000,
      'WISPr-Bandwidth-Max-Down': 2048000,
    });
  });

  it('CoovaChilli: ChilliSpot bandwidth in kbit/s and Max-Total-Octets with Gigawords', () => {
    expect(byName(acceptAttributes({ type: 'chilli' }, grant))).toMatchObject({
      'ChilliSpot-Bandwidth-Max-Up': 1024,
      'ChilliSpot-Bandwidth-Max-Down': 2048,
      'ChilliSpot-Max-Total-Octets': 7,
      'ChilliSpot-Max-Total-Gigawords': 5,
      'WISPr-Bandwidth-Max-Down': 2048000,
    });
  });

  it('clamps WISPr to 32 bits', () => {
    expect(byName(rateAttributes('mikrotik', 5_000_000, 5_000_000))['WISPr-Bandwidth-Max-Down']).toBe(2 ** 32 - 1);
  });

  // A real CoovaChilli 1.9 (test/lab) resets every session parameter a CoA leaves out: the CoA repeats the grant.
  it('CoA on CoovaChilli repeats Session-Timeout, Idle-Timeout, the interim interval and the volume limit as granted', () => {
    const granted = { timeoutSec: 3600, idleSec: 600, interimSec: 60, bytesLimit: 500 * 1048576 };
    expect(byName(coaRateAttributes('chilli', 300, 200, granted))).toEqual({
      'Session-Timeout': 3600,
      'Idle-Timeout': 600,
      'Acct-Interim-Interval': 60,
      'ChilliSpot-Bandwidth-Max-Up': 200,
      'ChilliSpot-Bandwidth-Max-Down': 300,
      'WISPr-Bandwidth-Max-Up': 200000,
      'WISPr-Bandwidth-Max-Down': 300000,
      'ChilliSpot-Max-Total-Octets': 500 * 1048576,
      'ChilliSpot-Max-Total-Gigawords': 0,
    });
  });

  it('CoA on MikroTik carries the rates only: RouterOS keeps what a CoA does not name', () => {
    const granted = { timeoutSec: 3600, idleSec: 600, interimSec: 60, bytesLimit: 1 };
    expect(byName(coaRateAttributes('mikrotik', 300, 200, granted))).toEqual({
      'Mikrotik-Rate-Limit': '200k/300k',
      'WISPr-Bandwidth-Max-Up': 200000,
      'WISPr-Bandwidth-Max-Down': 300000,
    });
  });
});
