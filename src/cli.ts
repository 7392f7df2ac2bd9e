import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from './config/env';
import { Keys } from './pool/keys';
import { connectRedis, waitForRedis } from './redis/connect';
import type { RedisClient } from './redis/client';
import { URL_FILE } from './redis/embedded';
import { formatCode, normalizeCode } from './vouchers/codes';
import { createVouchers, getVoucher, revokeVoucher } from './vouchers/store';
import { audit } from './admin/audit';
import { createOperator, getOperator, ROLES, updateOperator, usernameSchema, type Role } from './admin/operators';
import { passwordProblem } from './admin/passwords';

/**
 * Small operator commands: `npm run cli -- <command>`.
 *   new-api-key [name] [agency ...]   a key for POST /api/v1/agencies/usage, and the site file entry for it
 *   vouchers create ...               vouchers for a hotspot (or all), printed with their QR links
 *   vouchers show CODE | revoke CODE
 *   admin create USERNAME | admin password USERNAME   the first admin (there is no default password)
 * Redis is REDIS_URL (or Sentinel/Cluster, as for Limpah), else the embedded server of a Limpah running from this
 * folder (DATA_DIR).
 */

const USAGE = `usage:
  npm run cli -- new-api-key [name] [agency-id ...]
  npm run cli -- vouchers create --count 20 --hours 24 --devices 1 --mb 500 [--hotspot ID ...] [--redeem-days 90]
                                 [--batch NAME] [--note TEXT]
  npm run cli -- vouchers show CODE
  npm run cli -- vouchers revoke CODE
  npm run cli -- admin create USERNAME [--name "Full Name"] [--role admin|operator|viewer]
  npm run cli -- admin password USERNAME
  (the password is asked for, or read from the first line of standard input)
`;

class UsageError extends Error {}

const createOptions = z.object({
  count: z.coerce.number().int().min(1).max(1000, 'at most 1000 vouchers at once'),
  hours: z.coerce.number().positive().max(24 * 366, 'at most a year'),
  devices: z.coerce.number().int().min(1).max(20),
  mb: z.coerce.number().int().min(1).max(1_000_000),
  'redeem-days': z.coerce.number().int().min(1).max(3650).default(90),
  hotspot: z.array(z.string()).default([]),
  batch: z.string().max(60).optional(),
  note: z.string().max(200).default(''),
});

async function withRedis<T>(fn: (redis: RedisClient, keys: Keys, publicUrl: string) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  let url = config.redis.url;
  if (!url && !config.redis.sentinels && !config.redis.clusterNodes) {
    const file = resolve(config.dataDir ?? 'data', 'redis', URL_FILE);
    if (!existsSync(file)) throw new UsageError(`Limpah's embedded Redis is not running here (no ${file}); start Limpah, or set REDIS_URL`);
    url = readFileSync(file, 'utf8').trim();
  }
  const redis = connectRedis(config.redis, url);
  redis.on('error', () => undefined);
  try {
    await waitForRedis(redis, 5000);
    return await fn(redis, new Keys(config.redis.namespace), config.publicUrl);
  } finally {
    redis.disconnect();
  }
}

async function vouchers(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        count: { type: 'string' }, hours: { type: 'string' }, devices: { type: 'string' }, mb: { type: 'string' },
        'redeem-days': { type: 'string' }, hotspot: { type: 'string', multiple: true }, batch: { type: 'string' }, note: { type: 'string' },
      },
    });
    const parsed = createOptions.safeParse(values);
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
    const o = parsed.data;
    return withRedis(async (redis, keys, publicUrl) => {
      for (const id of o.hotspot) {
        if (!(await redis.sismember(keys.hotspots(), id))) throw new UsageError(`--hotspot ${id}: no such hotspot in the site`);
      }
      const now = Date.now();
      const batch = o.batch ?? `cli-${new Date(now).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
      const codes = await createVouchers(redis, keys, {
        count: o.count, hotspots: o.hotspot, validityMinutes: Math.round(o.hours * 60), deviceLimit: o.devices, quotaMB: o.mb,
        redeemByMs: now + o['redeem-days'] * 86_400_000, batch, note: o.note, createdBy: 'cli',
      });
      process.stdout.write(
        `# batch ${batch}: ${codes.length} vouchers, each ${o.hours} h from first use, ${o.devices} device(s), ${o.mb} MB, ` +
          `${o.hotspot.length ? `at ${o.hotspot.join(', ')}` : 'at every hotspot'}; unused ones expire after ${o['redeem-days']} days\n` +
          `# code         QR link\n${codes.map((c) => `${formatCode(c)}  ${publicUrl}/v/${formatCode(c)}`).join('\n')}\n`,
      );
      return 0;
    });
  }
  if (sub === 'show' || sub === 'revoke') {
    const code = normalizeCode(rest.join(''));
    if (!code) throw new UsageError('give a voucher code, e.g. K7QMX-3RTPA');
    return withRedis(async (redis, keys) => {
      if (sub === 'revoke' && !(await revokeVoucher(redis, keys, code))) throw new UsageError(`no voucher ${formatCode(code)}`);
      const v = await getVoucher(redis, keys, code);
      if (!v) throw new UsageError(`no voucher ${formatCode(code)}`);
      process.stdout.write(`${JSON.stringify({ ...v, code: formatCode(v.code) }, null, 2)}\n`);
      return 0;
    });
  }
  throw new UsageError(`unknown vouchers command "${sub ?? ''}"`);
}

/** A password from the terminal (not echoed) or from the first line of standard input. */
async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    process.stdout.write(prompt);
    process.stdin.setRawMode(true);
    process.stdin.resume();
    let text = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const c of chunk.toString('utf8')) {
          if (c === '\r' || c === '\n') {
            process.stdin.setRawMode(false);
            process.stdin.pause();
            process.stdin.off('data', onData);
            process.stdout.write('\n');
            return resolve(text);
          }
          if (c === '\u0003') return reject(new UsageError('cancelled'));
          if (c === '\u007f') text = text.slice(0, -1);
          else text += c;
        }
      };
      process.stdin.on('data', onData);
    });
  }
  let input = '';
  for await (const chunk of process.stdin) {
    input += (chunk as Buffer).toString('utf8');
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

async function admin(args: string[]): Promise<number> {
  const [sub, username, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, role: { type: 'string' } } });
  const user = usernameSchema.safeParse(username);
  if (!user.success) throw new UsageError(`USERNAME ${user.error.issues[0]!.message}`);
  const role = (values.role ?? 'admin') as Role;
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (sub !== 'create' && sub !== 'password') throw new UsageError(`unknown admin command "${sub ?? ''}"`);
  const password = await readPassword(`Password for ${user.data} (12 or more characters): `);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(`the password ${problem}`);
  return withRedis(async (redis, keys) => {
    if (sub === 'create') {
      const created = await createOperator(redis, keys, { username: user.data, name: values.name ?? user.data, role, scope: { kecamatan: [], hotspots: [] }, password });
      if (!created) throw new UsageError(`${user.data} exists already; to set a new password: npm run cli -- admin password ${user.data}`);
      await audit(redis, keys, { kind: 'cli', name: 'cli' }, 'operator.create', `operator:${user.data}`, null, { role });
      process.stdout.write(`created ${role} ${user.data}; sign in at ${loadConfig(process.env).publicUrl}/admin\n`);
    } else {
      if (!(await getOperator(redis, keys, user.data))) throw new UsageError(`no operator ${user.data}`);
      await updateOperator(redis, keys, user.data, { password });
      await audit(redis, keys, { kind: 'cli', name: 'cli' }, 'operator.password', `operator:${user.data}`, null, null);
      process.stdout.write(`new password set for ${user.data}\n`);
    }
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'new-api-key': {
      const [name = 'telemetry', ...agencies] = rest;
      const key = `lmp_${randomBytes(24).toString('base64url')}`;
      const entry = { name, key, ...(agencies.length ? { agencies } : {}) };
      process.stdout.write(
        `API key (shown once; keep it secret): ${key}\n\nAdd this to "telemetry": { "apiKeys": [ ... ] } in the site file, then restart Limpah:\n${JSON.stringify(entry, null, 2)}\n`,
      );
      return 0;
    }
    case 'vouchers':
      return vouchers(rest);
    case 'admin':
      return admin(rest);
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(err instanceof UsageError ? `${err.message}\n\n${USAGE}` : `${(err as Error).message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
