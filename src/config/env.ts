import { isIP } from 'node:net';
import { z } from 'zod';
import { LimpahError } from '../errors';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Every environment variable Limpah reads, with its default. The README's reference is checked against this. */
export const envSchema = z.object({
  HTTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
  HTTP_PORT: port(3000),
  RADIUS_HOST: z.string().trim().min(1).default('0.0.0.0'),
  RADIUS_AUTH_PORT: port(1812),
  RADIUS_ACCT_PORT: port(1813),
  RADIUS_PUBLIC_ADDRESS: optionalText.pipe(
    z
      .string()
      .refine((v) => isIP(v) !== 0 && v !== '0.0.0.0' && v !== '::', 'must be the IPv4 (or IPv6) address routers send RADIUS to, e.g. 10.20.0.5; RouterOS takes an address here, not a host name')
      .optional(),
  ),
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^(rediss?:\/\/|unix:\/\/\/)/, 'must start with redis://, rediss:// or unix:/// (a socket), e.g. redis://127.0.0.1:6379/0')
      .optional(),
  ),
  REDIS_SENTINELS: optionalText.pipe(
    z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port...], e.g. 10.20.0.5:26379,10.20.0.6:26379')
      .optional(),
  ),
  REDIS_CLUSTER_NODES: optionalText.pipe(
    z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port...] of Redis Cluster nodes')
      .optional(),
  ),
  REDIS_MASTER_NAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  REDIS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1-32 lowercase letters, digits, "-" or "_"')
    .default('limpah'),
  SITE_FILE: optionalText,
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  DATA_DIR: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)], { error: "must be a number of worker processes (1-64) or 'auto' (one per core)" })
    .default(1),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(20).max(10_000).default(150),
  FAIL_OPEN_DOWN_KBPS: z.coerce.number().int().min(64).max(100_000).default(512),
  FAIL_OPEN_UP_KBPS: z.coerce.number().int().min(32).max(100_000).default(256),
  FAIL_OPEN_SESSION_SECONDS: z.coerce.number().int().min(60).max(7200).default(900),
  FAIL_OPEN_MAX_SESSIONS: z.coerce.number().int().min(0).max(100_000).default(200),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  ADMIN_NETWORKS: optionalText.pipe(
    z
      .string()
      .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
      .refine((list) => list.every((c) => parseCidr(c) !== null), 'must be a comma-separated list of addresses or networks, e.g. 10.20.0.0/16,127.0.0.1')
      .optional(),
  ),
});

/** An address or a network (a.b.c.d, a.b.c.d/n, IPv6 too), or null. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, bits] = text.split('/');
  const family = isIP(address ?? '') === 4 ? 'ipv4' : isIP(address ?? '') === 6 ? 'ipv6' : null;
  if (!family || !address) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= max ? { address, prefix, family } : null;
}

export type EnvConfig = z.infer<typeof envSchema>;

export interface AppConfig {
  readonly http: { readonly host: string; readonly port: number; readonly trustProxy: boolean; readonly adminNetworks: readonly string[] | undefined };
  readonly radius: {
    readonly host: string;
    readonly authPort: number;
    readonly acctPort: number;
    /** The address routers send RADIUS to (the generated RouterOS script's `/radius add address=`), if known. */
    readonly publicAddress: string | undefined;
  };
  readonly redis: {
    readonly url: string | undefined;
    readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }> | undefined;
    readonly clusterNodes: ReadonlyArray<{ readonly host: string; readonly port: number }> | undefined;
    readonly masterName: string | undefined;
    readonly password: string | undefined;
    readonly sentinelPassword: string | undefined;
    readonly namespace: string;
    readonly commandTimeoutMs: number;
  };
  readonly failOpen: { readonly downKbps: number; readonly upKbps: number; readonly sessionTimeoutSec: number; readonly maxSessions: number };
  readonly siteFile: string | undefined;
  readonly publicUrl: string;
  readonly dataDir: string | undefined;
  readonly logLevel: string;
  /** Worker processes sharing the RADIUS ports and the portal: a number, or 'auto' (one per core). */
  readonly workers: number | 'auto';
}

/** RADIUS_HOST when it names one address a router could reach (not every address, not loopback), else undefined. */
function listenedAddress(host: string): string | undefined {
  if (isIP(host) === 0 || host === '0.0.0.0' || host === '::' || host.startsWith('127.') || host === '::1') return undefined;
  return host;
}

function hostPorts(list: string | undefined): Array<{ host: string; port: number }> | undefined {
  return list?.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    return { host: hp.slice(0, at), port: Number(hp.slice(at + 1)) };
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Reads and validates the environment once; the result is frozen and passed in, never read from a global. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new LimpahError('CONFIG_INVALID', `Invalid environment; fix these variables:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.REDIS_SENTINELS && !e.REDIS_MASTER_NAME) {
    throw new LimpahError('CONFIG_INVALID', 'Invalid environment; fix these variables:\n  REDIS_MASTER_NAME: must be set with REDIS_SENTINELS (the name in "sentinel monitor <name> ...")');
  }
  if ([e.REDIS_URL, e.REDIS_SENTINELS, e.REDIS_CLUSTER_NODES].filter(Boolean).length > 1) {
    throw new LimpahError('CONFIG_INVALID', 'Invalid environment; fix these variables:\n  REDIS_URL: set one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both');
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.HTTP_PORT}`).replace(/\/+$/, '');
  return deepFreeze({
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, trustProxy: e.TRUST_PROXY, adminNetworks: e.ADMIN_NETWORKS },
    radius: { host: e.RADIUS_HOST, authPort: e.RADIUS_AUTH_PORT, acctPort: e.RADIUS_ACCT_PORT, publicAddress: e.RADIUS_PUBLIC_ADDRESS ?? listenedAddress(e.RADIUS_HOST) },
    redis: {
      url: e.REDIS_URL,
      sentinels: hostPorts(e.REDIS_SENTINELS),
      clusterNodes: hostPorts(e.REDIS_CLUSTER_NODES),
      masterName: e.REDIS_MASTER_NAME,
      password: e.REDIS_PASSWORD,
      sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
      namespace: e.REDIS_NAMESPACE,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    failOpen: {
      downKbps: e.FAIL_OPEN_DOWN_KBPS,
      upKbps: e.FAIL_OPEN_UP_KBPS,
      sessionTimeoutSec: e.FAIL_OPEN_SESSION_SECONDS,
      maxSessions: e.FAIL_OPEN_MAX_SESSIONS,
    },
    siteFile: e.SITE_FILE,
    publicUrl,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS,
  });
}

export { deepFreeze };
