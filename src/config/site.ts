import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LimpahError } from '../errors';
import { deepFreeze } from './env';
import { cliCommand } from '../paths';

const id = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and "-", e.g. "taman-kota-sampit"');
const kbps = z.number().int('must be a whole number of kbps').positive('must be more than 0').max(100_000_000, 'must be at most 100000000 (100 Gbps)');
/** A session ceiling: WISPr carries bit/s in 32 bits, so 4 Gbps is the most a reply can say. */
const sessionKbps = z.number().int('must be a whole number of kbps').positive('must be more than 0').max(4_000_000, 'must be at most 4000000 (4 Gbps)');
const minutes = z.number().int('must be a whole number of minutes').positive('must be more than 0');

export const HOTSPOT_KINDS = ['park', 'village-hall'] as const;
/** How citizens log in at a hotspot: accept the terms ('click'), or type or scan a voucher code ('voucher'). */
export const LOGIN_METHODS = ['click', 'voucher'] as const;
export const NAS_TYPES = ['mikrotik', 'chilli'] as const;

export const nasSchema = z.strictObject({
  type: z.enum(NAS_TYPES, { error: `must be one of: ${NAS_TYPES.join(', ')}` }),
  ip: z
    .union([z.ipv4(), z.ipv6()], { error: 'must be the IPv4 or IPv6 address the router sends RADIUS from' })
    // The form the socket reports: IPv6 lower case and compressed.
    .transform((ip) => (ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip)),
  identifier: z
    .string()
    .min(1)
    .max(64)
    // Letters, digits, ".", "_" and "-": it goes into generated RouterOS commands and login pages.
    .regex(/^[A-Za-z0-9._-]+$/, 'must be the router identity: letters, digits, ".", "_" or "-"'),
  secret: z
    .string()
    .min(8, 'must be at least 8 characters (16 or more is recommended); use the same secret as /radius on the router')
    .max(128),
  /** UDP port the NAS takes CoA and Disconnect requests on (RFC 5176: 3799; old RouterOS docs: 1700). */
  coaPort: z.number().int().min(1).max(65535).default(3799),
  /**
   * How a rate change reaches a live session: 'coa' sends a CoA-Request (and falls back to Disconnect when the
   * NAS refuses it); 'disconnect' ends the session so that the next login gets the new rate.
   */
  rateChange: z.enum(['coa', 'disconnect']).default('coa'),
  /** CoovaChilli's uamsecret: it signs the redirect to the portal (md) and hides the login response. */
  uamSecret: z.string().min(8, 'must be at least 8 characters; the same as uamsecret in the Chilli config').max(128).optional(),
  /** The router's hotspot DNS name, when its login URL uses one instead of a private address. */
  loginHost: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a host name, e.g. login.wifi.id')
    .optional(),
  /** BlastRADIUS (CVE-2024-3596): drop Access-Requests without Message-Authenticator. RouterOS 7.15+ sends it. */
  requireMessageAuthenticator: z.boolean().default(true),
  /** BlastRADIUS: drop Access-Requests that carry Proxy-State without Message-Authenticator. */
  limitProxyState: z.boolean().default(true),
});

/** What a hotspot's quota is when the site file (or the console) leaves a field out: the one place these live. */
export const QUOTA_DEFAULTS = Object.freeze({
  minDownKbps: 256,
  minUpKbps: 128,
  idleMinutes: 10,
  interimSeconds: 300,
  deviceSessions: 1,
});

export const quotaSchema = z
  .strictObject({
    maxSessions: z.number().int().positive('must be more than 0'),
    downKbps: sessionKbps,
    upKbps: sessionKbps,
    minDownKbps: sessionKbps.default(QUOTA_DEFAULTS.minDownKbps),
    minUpKbps: sessionKbps.default(QUOTA_DEFAULTS.minUpKbps),
    sessionMinutes: minutes,
    dailyMinutes: minutes,
    dailyMB: z.number().int().positive('must be more than 0'),
    idleMinutes: minutes.default(QUOTA_DEFAULTS.idleMinutes),
    interimSeconds: z.number().int().min(60, 'must be at least 60 seconds').max(3600).default(QUOTA_DEFAULTS.interimSeconds),
    /** Sessions one device may have at once; a new login past it ends the device's oldest session. */
    deviceSessions: z.number().int().min(1).max(10).default(QUOTA_DEFAULTS.deviceSessions),
    /** The most the hotspot's sessions may hold together (download), so one busy park cannot take the whole pool. */
    maxShareKbps: kbps.optional(),
  })
  .refine((q) => q.minDownKbps <= q.downKbps, { message: 'minDownKbps must not exceed downKbps', path: ['minDownKbps'] })
  .refine((q) => q.minUpKbps <= q.upKbps, { message: 'minUpKbps must not exceed upKbps', path: ['minUpKbps'] });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM in WIB, e.g. "07:30"');

/** Opening hours of government offices, WIB, by weekday; a day left out has no office hours. */
const span = z.tuple([hhmm, hhmm]).refine(([from, to]) => from < to, 'the end must be after the start, the same day');
export const officeHoursSchema = z.strictObject({
  mon: span.optional(),
  tue: span.optional(),
  wed: span.optional(),
  thu: span.optional(),
  fri: span.optional(),
  sat: span.optional(),
  sun: span.optional(),
});

/** Kotawaringin Timur's office hours (five-day week): Monday to Thursday 07:30-16:00, Friday 07:30-16:30. */
export const DEFAULT_OFFICE_HOURS = {
  mon: ['07:30', '16:00'],
  tue: ['07:30', '16:00'],
  wed: ['07:30', '16:00'],
  thu: ['07:30', '16:00'],
  fri: ['07:30', '16:30'],
} as const;

export const hotspotSchema = z.strictObject({
  /** When citizens may connect, WIB, by weekday; without it, always. */
  openingHours: officeHoursSchema.optional(),
  id,
  name: z.string().trim().min(1).max(100),
  kecamatan: z.string().trim().min(1).max(60),
  kind: z.enum(HOTSPOT_KINDS, { error: `must be one of: ${HOTSPOT_KINDS.join(', ')}` }),
  /** The WiFi name citizens join there, printed on its voucher cards (802.11 allows 32 bytes). */
  ssid: z.string().trim().min(1).max(32).optional(),
  nas: z.array(nasSchema).min(1, 'a hotspot needs at least one NAS (router)'),
  quota: quotaSchema,
  loginMethods: z
    .array(z.enum(LOGIN_METHODS, { error: `must be one of: ${LOGIN_METHODS.join(', ')}` }))
    .min(1, 'a hotspot needs at least one login method')
    .refine((m) => new Set(m).size === m.length, 'lists a method twice')
    .default(['click']),
});

/**
 * Which counters on an SNMP device are an agency's traffic: an interface (by ifName or ifDescr, or its ifIndex) or a
 * MikroTik simple queue (by name). `download` says which direction is the agency's download, as the device counts
 * it: 'out' (default) when the counted interface or queue faces the agency, so traffic leaving it goes to the agency.
 */
export const agencyMeasureSchema = z
  .strictObject({
    device: id,
    interface: z.string().trim().min(1).max(128).optional(),
    ifIndex: z.number().int().min(1).optional(),
    queue: z.string().trim().min(1).max(128).optional(),
    download: z.enum(['in', 'out'], { error: "must be 'in' or 'out'" }).default('out'),
  })
  .refine((m) => [m.interface, m.ifIndex, m.queue].filter((x) => x !== undefined).length === 1, {
    message: 'name exactly one of interface, ifIndex or queue',
  });

export const agencySchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(120),
  committedKbps: z.number().int().min(0, 'must not be negative'),
  /** Measured by Limpah's SNMP collector (telemetry.snmp) instead of, or besides, the push API. */
  measure: agencyMeasureSchema.optional(),
});

export const SNMP_AUTH_PROTOCOLS = ['sha', 'sha256'] as const;

/** A router Limpah polls over SNMP for the agencies' traffic counters. */
export const snmpDeviceSchema = z
  .strictObject({
    id,
    host: z.union([z.ipv4(), z.ipv6()], { error: 'must be the IPv4 or IPv6 address Limpah polls' }),
    port: z.number().int().min(1).max(65535).default(161),
    version: z.enum(['2c', '3'], { error: "must be '2c' or '3'" }),
    /** SNMP v2c: the read-only community. */
    community: z.string().min(1).max(64).optional(),
    /** SNMP v3 (authPriv): user, authentication (SHA or SHA-256) and privacy (AES-128) keys. */
    user: z.string().min(1).max(32).optional(),
    authProtocol: z.enum(SNMP_AUTH_PROTOCOLS, { error: "must be 'sha' or 'sha256'" }).default('sha256'),
    authKey: z.string().min(8, 'must be at least 8 characters (RFC 3414)').max(64).optional(),
    privProtocol: z.literal('aes', { error: "must be 'aes'" }).default('aes'),
    privKey: z.string().min(8, 'must be at least 8 characters (RFC 3414)').max(64).optional(),
    intervalSeconds: z.number().int().min(5).max(3600).default(30),
    timeoutMs: z.number().int().min(200).max(30_000).default(3000),
    retries: z.number().int().min(0).max(5).default(1),
  })
  .superRefine((d, ctx) => {
    if (d.version === '2c' && !d.community) ctx.addIssue({ code: 'custom', path: ['community'], message: 'SNMP v2c needs the read-only community' });
    if (d.version === '3') {
      for (const f of ['user', 'authKey', 'privKey'] as const) {
        if (!d[f]) ctx.addIssue({ code: 'custom', path: [f], message: `SNMP v3 (authPriv) needs ${f}` });
      }
    }
  });

export const telemetrySchema = z.strictObject({
  /** Measured usage older than this is stale: the agency is claimed at its committed rate again. */
  staleAfterSeconds: z.number().int().min(30).max(86_400).default(300),
  /** Measured usage is claimed with this margin on top, percent. */
  safetyMarginPercent: z.number().min(0).max(200).default(20),
  /** Keys for `POST /api/v1/agencies/usage`; each may be limited to some agencies. */
  apiKeys: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1).max(60),
        key: z.string().min(24, `must be at least 24 characters; make one with \`${cliCommand.fromHost} new-api-key\``).max(200),
        agencies: z.array(z.string()).optional(),
      }),
    )
    .default([]),
  /** Routers Limpah polls itself for the agencies' traffic (agencies[].measure names the counters). */
  snmp: z
    .strictObject({
      devices: z.array(snmpDeviceSchema).default([]),
      /** Devices polled at the same time, at most; each device keeps its own interval. */
      maxConcurrentPolls: z.number().int().min(1).max(64).default(8),
    })
    .default({ devices: [], maxConcurrentPolls: 8 }),
});

export const siteSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(120).default('Limpah'),
    uplink: z.strictObject({ capacityKbps: kbps, headroomKbps: z.number().int().min(0) }),
    kecamatan: z.array(z.string().trim().min(1)).optional(),
    agencies: z.array(agencySchema).default([]),
    hotspots: z.array(hotspotSchema).default([]),
    telemetry: telemetrySchema.default({ staleAfterSeconds: 300, safetyMarginPercent: 20, apiKeys: [], snmp: { devices: [], maxConcurrentPolls: 8 } }),
    /** With no telemetry at all, agencies are claimed at their committed rate in office hours... */
    officeHours: officeHoursSchema.default(DEFAULT_OFFICE_HOURS as unknown as z.infer<typeof officeHoursSchema>),
    /** ...and at this fraction of it outside them. */
    outsideOfficeFraction: z.number().min(0).max(1).default(0.2),
    /** Fair-share weights by hotspot kind: with 2 for village halls, a hall session gets twice a park's share. */
    kindWeights: z.strictObject({ park: z.number().min(0).max(100).default(1), 'village-hall': z.number().min(0).max(100).default(1) }).default({ park: 1, 'village-hall': 1 }),
    /** Citizens may be granted this multiple of public capacity: not everyone saturates a link at once. */
    overbooking: z.number().min(1).max(10).default(1),
    reporting: z
      .strictObject({
        /** The integrated uplink contract, rupiah a year (Rp1.8-2.6 billion: the midpoint by default). */
        contractIdrPerYear: z.number().positive().default(2_200_000_000),
        /** Rupiah per Mbps per month for "what the spare capacity delivered"; default: the contract / 12 / uplink Mbps. */
        pricePerMbpsMonthIdr: z.number().positive().optional(),
        /** Closed session records are deleted after this many days; the per-day totals stay. */
        sessionRetentionDays: z.number().int().min(1).max(366).default(7),
        /** Per-day totals (reports) are kept this many days. */
        aggregateRetentionDays: z.number().int().min(30).max(3650).default(800),
        /**
         * Each agency's per-minute usage (the right-sizing report) is kept this many days: about 12 KB of Redis per
         * agency per day (bench/usage-history-memory.ts measures it).
         */
        usageHistoryDays: z.number().int().min(30).max(400).default(90),
      })
      .default({ contractIdrPerYear: 2_200_000_000, sessionRetentionDays: 7, aggregateRetentionDays: 800, usageHistoryDays: 90 }),
  })
  .superRefine((site, ctx) => {
    if (site.uplink.headroomKbps >= site.uplink.capacityKbps) {
      ctx.addIssue({ code: 'custom', path: ['uplink', 'headroomKbps'], message: 'must be less than capacityKbps' });
    }
    const seen = (what: string, values: Array<[string, (string | number)[]]>) => {
      const first = new Map<string, string>();
      for (const [value, path] of values) {
        const where = path.join('.');
        const prev = first.get(value);
        if (prev !== undefined) {
          ctx.addIssue({ code: 'custom', path, message: `duplicate ${what} "${value}" (already used at ${prev})` });
        } else {
          first.set(value, where);
        }
      }
    };
    seen('agency id', site.agencies.map((a, i) => [a.id, ['agencies', i, 'id']]));
    seen('hotspot id', site.hotspots.map((h, i) => [h.id, ['hotspots', i, 'id']]));
    const nas = site.hotspots.flatMap((h, i) => h.nas.map((n, j) => ({ n, path: ['hotspots', i, 'nas', j] as (string | number)[] })));
    seen('NAS ip', nas.map(({ n, path }) => [n.ip, [...path, 'ip']]));
    seen('NAS identifier', nas.map(({ n, path }) => [n.identifier, [...path, 'identifier']]));
    for (const { n, path } of nas) {
      if (n.type === 'chilli' && !n.uamSecret) {
        ctx.addIssue({ code: 'custom', path: [...path, 'uamSecret'], message: 'a chilli NAS needs its uamsecret, as in the Chilli config' });
      }
    }
    const agencyIds = new Set(site.agencies.map((a) => a.id));
    site.telemetry.apiKeys.forEach((k, i) =>
      k.agencies?.forEach((a, j) => {
        if (!agencyIds.has(a)) ctx.addIssue({ code: 'custom', path: ['telemetry', 'apiKeys', i, 'agencies', j], message: `unknown agency "${a}"` });
      }),
    );
    seen('SNMP device id', site.telemetry.snmp.devices.map((d, i) => [d.id, ['telemetry', 'snmp', 'devices', i, 'id']]));
    const deviceIds = new Set(site.telemetry.snmp.devices.map((d) => d.id));
    site.agencies.forEach((a, i) => {
      if (a.measure && !deviceIds.has(a.measure.device)) {
        ctx.addIssue({ code: 'custom', path: ['agencies', i, 'measure', 'device'], message: `unknown SNMP device "${a.measure.device}": add it to telemetry.snmp.devices` });
      }
    });
    const keyAt = new Map<string, number>();
    site.telemetry.apiKeys.forEach((k, i) => {
      const first = keyAt.get(k.key);
      // The message never repeats the key: site file errors reach the log.
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['telemetry', 'apiKeys', i, 'key'], message: `same key as telemetry.apiKeys[${first}]` });
      else keyAt.set(k.key, i);
    });
    if (site.kecamatan) {
      const known = new Set(site.kecamatan);
      site.hotspots.forEach((h, i) => {
        if (!known.has(h.kecamatan)) {
          ctx.addIssue({
            code: 'custom',
            path: ['hotspots', i, 'kecamatan'],
            message: `"${h.kecamatan}" is not in the site's kecamatan list`,
          });
        }
      });
    }
  });

export type Site = z.infer<typeof siteSchema>;
export type Hotspot = z.infer<typeof hotspotSchema>;
export type HotspotQuota = z.infer<typeof quotaSchema>;
export type Nas = z.infer<typeof nasSchema>;
export type Agency = z.infer<typeof agencySchema>;
export type AgencyMeasure = z.infer<typeof agencyMeasureSchema>;
export type SnmpDevice = z.infer<typeof snmpDeviceSchema>;
export type OfficeHours = z.infer<typeof officeHoursSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Validates a parsed site document; the error lists every problem with its field path. */
export function parseSite(doc: unknown, source = 'site file'): Site {
  const parsed = siteSchema.safeParse(doc);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new LimpahError('SITE_FILE_INVALID', `${source} is invalid; fix these fields:\n${lines.join('\n')}`);
  }
  return deepFreeze(parsed.data);
}

export async function loadSiteFile(file: string): Promise<Site> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LimpahError('SITE_FILE_UNREADABLE', `Cannot read the site file ${file}: ${(err as Error).message}. Check SITE_FILE.`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LimpahError('SITE_FILE_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseSite(doc, file);
}

/** Public capacity from the site alone: uplink − headroom − Σ committed, never negative. */
export function staticCapacityKbps(site: Site): number {
  const committed = site.agencies.reduce((sum, a) => sum + a.committedKbps, 0);
  return Math.max(0, site.uplink.capacityKbps - site.uplink.headroomKbps - committed);
}
