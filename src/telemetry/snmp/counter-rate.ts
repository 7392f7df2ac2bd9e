/**
 * A rate from two readings of an octet counter, done so that nothing invents traffic:
 *  - the interval is the agent's own (sysUpTime, hundredths of a second), so a poll that waited in our queue or
 *    a missed poll only widens the interval: the rate is the average over it, never a guess;
 *  - sysUpTime going back means the agent restarted, and its counters may have too: no rate for that interval;
 *  - a 32-bit counter that went back wrapped at 2^32, if that gives a plausible rate; otherwise, as for a 64-bit
 *    counter that went back, it was reset (a device restart, a queue recreated): no rate, never a spike;
 *  - a rate above what the link can carry (`maxKbps`) is discarded as a glitch.
 */

export interface CounterReading {
  readonly octets: bigint;
  /** 32 for ifInOctets/ifOutOctets, 64 for ifHC*Octets and MikroTik queue bytes. */
  readonly bits: 32 | 64;
  /** sysUpTime at the reading, hundredths of a second. */
  readonly uptimeTicks: number;
}

export type CounterRate =
  | { readonly ok: true; readonly kbps: number; readonly intervalMs: number }
  | { readonly ok: false; readonly reason: 'first' | 'restarted' | 'reset' | 'no-time' | 'implausible' };

const WRAP_32 = 2n ** 32n;

export function counterRate(prev: CounterReading | undefined, cur: CounterReading, maxKbps: number): CounterRate {
  if (!prev || prev.bits !== cur.bits) return { ok: false, reason: 'first' };
  if (cur.uptimeTicks < prev.uptimeTicks) return { ok: false, reason: 'restarted' };
  const intervalMs = (cur.uptimeTicks - prev.uptimeTicks) * 10;
  if (intervalMs <= 0) return { ok: false, reason: 'no-time' };
  let delta = cur.octets - prev.octets;
  if (delta < 0n) {
    if (cur.bits === 64) return { ok: false, reason: 'reset' };
    delta += WRAP_32;
    // A wrap is only believable when the link could have carried that much; else the counter was reset.
    if (kbpsOf(delta, intervalMs) > maxKbps) return { ok: false, reason: 'reset' };
  }
  const kbps = kbpsOf(delta, intervalMs);
  if (kbps > maxKbps) return { ok: false, reason: 'implausible' };
  return { ok: true, kbps, intervalMs };
}

function kbpsOf(octets: bigint, intervalMs: number): number {
  // octets * 8 bits / 1000 per kbit / (ms / 1000) = octets * 8 / ms
  return (Number(octets) * 8) / intervalMs;
}
