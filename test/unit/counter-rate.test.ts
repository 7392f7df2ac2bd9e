import { counterRate, type CounterReading } from '../../src/telemetry/snmp/counter-rate';

const MAX = 10_000_000; // 10 Gbps
const at = (octets: bigint, uptimeSec: number, bits: 32 | 64 = 64): CounterReading => ({ octets, bits, uptimeTicks: Math.round(uptimeSec * 100) });

describe('a rate from two counter readings', () => {
  it('is the octets between them over the agent\'s own interval', () => {
    // 3,750,000 octets in 30 s = 1,000 kbps.
    expect(counterRate(at(1_000_000n, 100), at(4_750_000n, 130), MAX)).toEqual({ ok: true, kbps: 1000, intervalMs: 30_000 });
  });

  it('averages over a wider interval when a poll was missed, instead of inventing a rate', () => {
    // 60 s between readings (one poll lost): the average over both intervals.
    expect(counterRate(at(0n, 100), at(7_500_000n, 160), MAX)).toEqual({ ok: true, kbps: 1000, intervalMs: 60_000 });
  });

  it('gives nothing for the first reading', () => {
    expect(counterRate(undefined, at(5n, 1), MAX)).toEqual({ ok: false, reason: 'first' });
  });

  it('gives no spike when the agent restarted (sysUpTime went back), even if the counters carried on', () => {
    expect(counterRate(at(9_000_000_000n, 5000), at(9_100_000_000n, 12), MAX)).toEqual({ ok: false, reason: 'restarted' });
  });

  it('counts a 32-bit counter across its wrap at 2^32', () => {
    const before = 2n ** 32n - 1_000_000n;
    const r = counterRate(at(before, 100, 32), at(2_750_000n, 130, 32), MAX);
    expect(r).toEqual({ ok: true, kbps: 1000, intervalMs: 30_000 });
  });

  it('treats a 32-bit counter that went back implausibly far as reset, not as a wrap', () => {
    // A wrap would mean ~4 GB in one second: more than a 10 Mbps link could carry.
    expect(counterRate(at(3_000_000n, 100, 32), at(1_000n, 101, 32), 10_000)).toEqual({ ok: false, reason: 'reset' });
  });

  it('treats a 64-bit counter that went back as reset (a queue recreated), never as traffic', () => {
    expect(counterRate(at(5_000_000n, 100), at(1_000n, 130), MAX)).toEqual({ ok: false, reason: 'reset' });
  });

  it('discards a rate the link cannot carry', () => {
    expect(counterRate(at(0n, 100), at(10n ** 12n, 101), MAX)).toEqual({ ok: false, reason: 'implausible' });
  });

  it('gives nothing when no time passed on the agent', () => {
    expect(counterRate(at(0n, 100), at(10n, 100), MAX)).toEqual({ ok: false, reason: 'no-time' });
  });

  it('starts again when a counter changes width (the agent lost its 64-bit counters)', () => {
    expect(counterRate(at(0n, 100, 64), at(10n, 130, 32), MAX)).toEqual({ ok: false, reason: 'first' });
  });
});
