/**
 * A hotspot's field in the pool hash (`down`, `up`: the kbps its live sessions hold) or in a day's totals
 * (`sessions`, `sec`, `bytes`, `kbpsSec`). The Lua scripts name it with hotspotField in scripts/lib/keys.lua.
 */
export function hotspotField(hotspotId: string, what: 'down' | 'up' | 'sessions' | 'sec' | 'bytes' | 'kbpsSec'): string {
  return `h:${hotspotId}:${what}`;
}

/**
 * Every Redis key Limpah uses, built in one place. All keys share the hash tag `{<namespace>}` so that every Lua
 * script touches one Cluster slot; tests give each suite its own namespace.
 */
export class Keys {
  readonly tag: string;

  constructor(readonly namespace: string) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(namespace)) throw new Error(`invalid Redis namespace "${namespace}"`);
    this.tag = `{${namespace}}`;
  }

  /** Hash: capDownKbps, capUpKbps, allocDownKbps, allocUpKbps, sessions. */
  pool(): string {
    return `${this.tag}:pool`;
  }
  /** Hash: site name, uplink and agencies as loaded from the site file. */
  site(): string {
    return `${this.tag}:site`;
  }
  /** Hash: what the running Limpah announced when it started listening: publicUrl (the console is at publicUrl/admin), for the CLI. */
  instance(): string {
    return `${this.tag}:instance`;
  }
  /** Hash: agency id -> JSON record. */
  agencies(): string {
    return `${this.tag}:agencies`;
  }
  /** Hash: SHA-256 of an API key -> JSON { name, agencies } (the agencies it may report for, or null for all). */
  apiKeys(): string {
    return `${this.tag}:api-keys`;
  }
  /** Hash: SNMP device id -> JSON of the device (host, port, version, credentials, interval; source 'site' or 'console'). */
  snmpDevices(): string {
    return `${this.tag}:snmp-devices`;
  }
  /** Hash: SNMP device id -> JSON of its last poll { okAtMs, error, errorAtMs, durationMs, agencies }, for the console. */
  snmpStatus(): string {
    return `${this.tag}:snmp-status`;
  }
  /** Hash: agency id -> JSON of its last measured usage { downKbps, upKbps, atMs, receivedAtMs, source }. */
  agencyUsage(): string {
    return `${this.tag}:agency-usage`;
  }
  /** String "<epoch>:<owner>": who allocates fair shares now; expires unless renewed. */
  allocatorLease(): string {
    return `${this.tag}:allocator:lease`;
  }
  /** Counter: the allocator's fencing epoch, one higher for each new lease holder. */
  allocatorEpoch(): string {
    return `${this.tag}:allocator:epoch`;
  }
  /** Set of hotspot ids. */
  hotspots(): string {
    return `${this.tag}:hotspots`;
  }
  /** What every key starts with: the hash tag and a colon. Lua scripts that build keys take it (scripts/lib/keys.lua). */
  prefix(): string {
    return `${this.tag}:`;
  }
  /** String: the portal's form-signing key, shared by every Limpah process. */
  formKey(): string {
    return `${this.tag}:portal:form-key`;
  }
  /** Hash: a hotspot's descriptive fields and quota. */
  hotspot(hotspotId: string): string {
    return `${this.tag}:hotspot:${hotspotId}`;
  }
  /** Set of the hotspot's live (pending or active) session ids. */
  hotspotLive(hotspotId: string): string {
    return `${this.tag}:hotspot:${hotspotId}:live`;
  }
  /** Hash: NAS source IP -> JSON NAS record (type, identifier, secret, hotspot id). */
  nasByIp(): string {
    return `${this.tag}:nas`;
  }
  /** Hash: NAS identifier (router identity, or Chilli nasid) -> hotspot id. */
  nasByIdentifier(): string {
    return `${this.tag}:nas-identifier`;
  }
  /** Hash: CoovaChilli nasid -> its uamsecret, for the portal to check the redirect and answer the login. */
  chilliSecrets(): string {
    return `${this.tag}:chilli-secret`;
  }
  /** Hash: a one-time portal grant, expiring on its own. */
  grant(username: string): string {
    return `${this.tag}:grant:${username}`;
  }
  /** Hash: a session admitted through RADIUS, keyed by the grant's username. */
  session(sessionId: string): string {
    return `${this.tag}:session:${sessionId}`;
  }
  /** Sorted set: live session id -> lease expiry (ms since epoch, Redis time). */
  leases(): string {
    return `${this.tag}:leases`;
  }
  /**
   * Hash: a device's usage on one WIB day (day; d<day>:s seconds, d<day>:b bytes) and its live sessions
   * (l:<session id> = booked at, ms); scripts/lib/device.lua keeps it to one day.
   */
  device(mac: string): string {
    return `${this.tag}:device:${mac}`;
  }
  /** String: JSON { until, by, reason } while an operator has blocked the device; expires with the block. */
  deviceBlock(mac: string): string {
    return `${this.tag}:device-block:${mac}`;
  }
  /** Sorted set: blocked MAC -> the block's end (ms), so the console can list blocks without scanning keys. */
  deviceBlocks(): string {
    return `${this.tag}:device-blocks`;
  }
  /** String: grants issued in the minute since the first, for a device (`mac:<MAC>`) or a source network (`src:<network>`). */
  grantRate(subject: string): string {
    return `${this.tag}:grant-rate:${subject}`;
  }
  /**
   * Hash: a voucher (code, batch, note, createdAt, createdBy, hotspots JSON or '' for all, validityMinutes,
   * deviceLimit, quotaMB, redeemBy, revoked, firstUsedAt, expiresAt, usedBytes, usedSec).
   */
  voucher(code: string): string {
    return `${this.tag}:voucher:${code}`;
  }
  /** Set: the MACs of the devices a voucher was used on. */
  voucherDevices(code: string): string {
    return `${this.tag}:voucher:${code}:devices`;
  }
  /** Hash: batch name -> JSON { batch, createdAt, createdBy, count, hotspots, validityMinutes, deviceLimit, quotaMB, note }. */
  voucherBatches(): string {
    return `${this.tag}:voucher-batches`;
  }
  /** Set: the codes of one batch. */
  voucherBatch(batch: string): string {
    return `${this.tag}:voucher-batch:${batch}`;
  }
  /** String: wrong voucher codes in the current window, for a device (`mac:<MAC>`) or a source network (`src:<network>`). */
  voucherFailures(subject: string): string {
    return `${this.tag}:voucher-fail:${subject}`;
  }
  /** Hash: MAC -> JSON of the device's last RADIUS refusal at a hotspot { reason, atMs }, for the portal (capped). */
  refusals(hotspotId: string): string {
    return `${this.tag}:refusals:${hotspotId}`;
  }
  /** Hash: an operator account (username, name, role, scope JSON, passwordHash, createdAt, disabled). */
  operator(username: string): string {
    return `${this.tag}:operator:${username}`;
  }
  /** Set of operator usernames. */
  operators(): string {
    return `${this.tag}:operators`;
  }
  /** String: JSON of a console login session, keyed by the SHA-256 of its cookie; expires when idle. */
  adminSession(tokenHash: string): string {
    return `${this.tag}:admin-session:${tokenHash}`;
  }
  /** Set: the SHA-256 of each console session of an operator, to end them all (new password, disabled). */
  adminSessionsOf(username: string): string {
    return `${this.tag}:admin-sessions:${username}`;
  }
  /**
   * String: failed console logins in the current window, for an account from one address (`ip-user:<address>|<name>`),
   * an account from everywhere (`user:<name>`) or an address at every account (`ip:<address>`); see sourceNetwork.
   */
  loginFailures(subject: string): string {
    return `${this.tag}:login-fail:${subject}`;
  }
  /** Stream: the audit log (who, action, target, before, after). */
  audit(): string {
    return `${this.tag}:audit`;
  }
  /** Hash: SHA-256 of an admin API key -> JSON { name, role, scope, createdAt, createdBy }. */
  adminApiKeys(): string {
    return `${this.tag}:admin-api-keys`;
  }
  /** Sorted set: one JSON sample of the pool per minute (score: ms), for the dashboard's 24-hour charts. */
  poolHistory(): string {
    return `${this.tag}:pool-history`;
  }
  /**
   * String: an agency's measured usage on one WIB day, one 8-byte slot per minute (1440 slots, 11,520 bytes, the
   * day's last minute first): down kbps + 1 and up kbps + 1 as big-endian uint32, 0 for a minute without a sample
   * (src/telemetry/usage-history.ts). Expires reporting.usageHistoryDays after the day ends.
   */
  agencyMinutes(agencyId: string, day: number): string {
    return `${this.tag}:agency-minutes:${agencyId}:${day}`;
  }
  /** Hash: one WIB day's totals per hotspot (h:<id>:sessions, :sec, :bytes, :kbpsSec). */
  daily(day: number): string {
    return `${this.tag}:daily:${day}`;
  }
  /** HyperLogLog: the pseudonymised devices seen at a hotspot on one WIB day. */
  dailyDevices(day: number, hotspotId: string): string {
    return `${this.tag}:daily-devices:${day}:${hotspotId}`;
  }
  /** List: accounting records that matched no session, kept for the reconcile job. */
  unmatchedAccounting(): string {
    return `${this.tag}:acct:unmatched`;
  }
}
