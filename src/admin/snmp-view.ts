import type { AgencyMeasure } from '../config/site';
import type { UsageSource } from '../telemetry/usage-ingest';
import type { Formatter } from './format';
import type { AdminMessages } from './i18n';
import { fill } from './problems';
import type { MeasureProblem, SnmpTestResult } from './service';

/**
 * The SNMP side of the agencies page in the reader's words (views/admin/agencies.ejs, snmp-device.ejs,
 * snmp-inventory.ejs, agency-measure.ejs): where a measurement came from, which counter measures an agency, and why
 * there is no fresh rate. The collector's own sentences (a device's error, a pending reason) are English and
 * technical; they follow our sentence as its detail, never in its place.
 */

/** "SNMP core-router · ifName vlan101 (ifIndex 7)" or "kiriman API · dinkes-router". */
export function usageSourceText(source: UsageSource | null, a: AdminMessages): string {
  if (!source) return a.snmp.unknownSource;
  return source.kind === 'snmp' ? fill(a.snmp.viaSnmp, { device: source.device, counter: source.counter }) : fill(a.snmp.viaPush, { key: source.key });
}

/** The counter an agency is measured by, as the form names it: "interface vlan101", "ifIndex 7", "queue dinkes". */
export function measureText(m: AgencyMeasure, a: AdminMessages): string {
  const [kind, value] = m.queue !== undefined ? (['queue', m.queue] as const) : m.ifIndex !== undefined ? (['ifIndex', String(m.ifIndex)] as const) : (['interface', m.interface ?? ''] as const);
  return fill(a.snmp.counter[kind], { value });
}

export interface ProblemText {
  /** Our sentence, in the reader's language. */
  readonly text: string;
  /** The collector's or the device's own words, when there are any. */
  readonly detail: string | null;
}

export function problemText(p: MeasureProblem, a: AdminMessages, fmt: Formatter): ProblemText {
  switch (p.kind) {
    case 'no-device':
      return { text: fill(a.snmp.problems.noDevice, { device: p.device }), detail: null };
    case 'not-polled':
      return { text: fill(a.snmp.problems.notPolled, { device: p.device }), detail: null };
    case 'device-error':
      return {
        text: fill(a.snmp.problems.deviceError, { device: p.device, error: p.code ? a.snmp.errorCodes[p.code] : a.snmp.errorCodes.protocol, when: p.atMs ? fmt.when(p.atMs) : '—' }),
        detail: p.message,
      };
    case 'pending':
      return { text: fill(a.snmp.problems.pending, { device: p.device }), detail: p.message };
  }
}

/** A failed "test this device": what went wrong in our words, the poller's sentence as the detail. */
export function testFailureText(r: Extract<SnmpTestResult, { ok: false }>, a: AdminMessages): ProblemText {
  return { text: a.snmp.errorCodes[r.code], detail: r.message };
}
