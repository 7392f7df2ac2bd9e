/**
 * The OIDs the collector reads. IF-MIB (RFC 2863) for interfaces; MIKROTIK-MIB for RouterOS simple queues.
 */
export const OID = Object.freeze({
  /** SNMPv2-MIB sysUpTime.0: hundredths of a second since the agent started; going back means it restarted. */
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  /** SNMPv2-MIB sysDescr.0, shown when an operator tests a device. */
  sysDescr: '1.3.6.1.2.1.1.1.0',
  /** IF-MIB ifDescr.<ifIndex>. */
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  /** IF-MIB ifInOctets / ifOutOctets.<ifIndex>: 32-bit counters, wrap at 2^32. */
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  /** IF-MIB ifName.<ifIndex> (ifXTable). */
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  /** IF-MIB ifHCInOctets / ifHCOutOctets.<ifIndex>: 64-bit counters. */
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  /**
   * MIKROTIK-MIB mtxrQueueSimpleTable (1.3.6.1.4.1.14988.1.1.2.1.1): .2 mtxrQueueSimpleName, .8 mtxrQueueSimpleBytesIn,
   * .9 mtxrQueueSimpleBytesOut (Counter64), per queue index.
   */
  mtxrQueueSimpleName: '1.3.6.1.4.1.14988.1.1.2.1.1.2',
  mtxrQueueSimpleBytesIn: '1.3.6.1.4.1.14988.1.1.2.1.1.8',
  mtxrQueueSimpleBytesOut: '1.3.6.1.4.1.14988.1.1.2.1.1.9',
});

/** The last arc of an OID under a column: the row index. */
export function rowIndex(column: string, oid: string): number | null {
  if (!oid.startsWith(`${column}.`)) return null;
  const rest = oid.slice(column.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}
