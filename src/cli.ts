import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { loadConfig } from './config/env';
import { cliCommand } from './paths';
import { Keys } from './redis/keys';
import { connectRedis, waitForRedis } from './redis/connect';
import { URL_FILE } from './redis/embedded';
import { formatCode, normalizeCode } from './vouchers/codes';
import { ROLES, usernameSchema, type Actor, type Role } from './admin/operators';
import { passwordProblem } from './admin/passwords';
import { issuesText } from './api-errors';
import {
  AdminError, changeOperator, createAdminApiKey, createOperatorAccount, createTelemetryKey, listAdminApiKeys, revokeAdminApiKey, createVoucherBatch, findVoucher, listHotspots, revokeBatch, revokeVoucherCode, type StoreDeps,
} from './admin/service';

/**
 * Operator commands on the server: `npm run cli -- <command>`, or `limpah <command>` in the container image (USAGE
 * below). Every change goes through the same service as the console and the admin API (the same checks, batch ids
 * and audit log, with "cli" as the actor), and what it makes works at once: keys and vouchers live in Redis, which
 * Limpah reads on every request.
 * Redis is REDIS_URL (or Sentinel/Cluster, as for Limpah), else the embedded server of a Limpah running from this
 * folder (DATA_DIR). Links are printed with the URL the running Limpah announced (its PUBLIC_URL, or its real port).
 */

/** How the CLI is run here: `npm run cli --` in a checkout, `limpah` in the container image. */
const CLI = cliCommand.here;
const INDENT = ' '.repeat(CLI.length); // keeps continuation lines under their command, whatever its length

const USAGE = `usage:
  ${CLI} new-api-key [name] [agency-id ...]          a key for agencies' usage push (POST /api/v1/agencies/usage)
  ${CLI} api-key create NAME --role admin|operator|viewer [--kecamatan NAME ...] [--hotspot ID ...]
  ${INDENT}                                              a script key for the admin API (/api/v1)
  ${CLI} api-key list | api-key revoke ID
  ${CLI} vouchers create --count 20 --hours 24 --devices 1 --mb 500 [--hotspot ID ...] [--kecamatan NAME ...]
  ${INDENT}                 [--redeem-days 90] [--note TEXT]
  ${CLI} vouchers show CODE | vouchers revoke CODE | vouchers revoke-batch BATCH
  ${CLI} admin create USERNAME [--name "Full Name"] [--role admin|operator|viewer]
  ${CLI} admin password USERNAME
  (the password is asked for, or read from the first line of standard input)
`;

/** A mistake in the command line: the message and the usage, exit code 2. */
class UsageError extends Error {}

/** The operator at the server's shell, who may do what an admin may. */
const CLI_ACTOR: Actor = { kind: 'cli', name: 'cli', role: 'admin', scope: { kecamatan: [], hotspots: [] } };

interface Context extends StoreDeps {
  /** The portal's URL as the running Limpah serves it; the console is at publicUrl/admin. */
  readonly publicUrl: string;
}

/** parseArgs, with its complaints (an unknown option, a missing value) as usage errors. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function withRedis<T>(fn: (c: Context) => Promise<T>): Promise<T> {
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
    const keys = new Keys(config.redis.namespace);
    const announced = await redis.hget(keys.instance(), 'publicUrl');
    const publicUrl = announced && /^https?:\/\/[^\s]+$/.test(announced) ? announced : config.publicUrl;
    return await fn({ redis, keys, publicUrl });
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------- keys

async function newTelemetryKey(rest: string[]): Promise<number> {
  const [name = 'telemetry', ...agencies] = rest;
  return withRedis(async (c) => {
    const known = await c.redis.hkeys(c.keys.agencies());
    const unknown = agencies.filter((a) => !known.includes(a));
    if (unknown.length) throw new UsageError(`no agency ${unknown.join(', ')} in the site (agencies: ${known.sort().join(', ')})`);
    const key = await createTelemetryKey(c, CLI_ACTOR, name, agencies);
    process.stdout.write(
      `Telemetry key "${name}" for ${agencies.length ? `agencies ${agencies.join(', ')}` : 'every agency'} (shown once; keep it secret):\n${key}\n\n` +
        `It works now, without a restart (it is kept in Redis, as one made in the console; revoke it under Agencies). Try it:\n` +
        `curl -s ${c.publicUrl}/api/v1/agencies/usage -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\\n` +
        `  -d '[{"agencyId":"${agencies[0] ?? known.sort()[0] ?? 'dinkes'}","downKbps":8200,"upKbps":1900,"at":"${new Date().toISOString()}"}]'\n`,
    );
    return 0;
  });
}

async function apiKeys(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values, positionals } = parse(rest, { role: { type: 'string' }, kecamatan: { type: 'string', multiple: true }, hotspot: { type: 'string', multiple: true } }, true);
    const [name, ...extra] = positionals;
    if (!name || extra.length) throw new UsageError('give the key one NAME, e.g. api-key create ops-script --role admin');
    const role = values.role as Role | undefined;
    if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const scope = { kecamatan: values.kecamatan ?? [], hotspots: values.hotspot ?? [] };
    if (role === 'operator' && scope.kecamatan.length + scope.hotspots.length === 0) {
      throw new UsageError('an operator key changes only its own hotspots: give --kecamatan or --hotspot');
    }
    return withRedis(async (c) => {
      const hotspots = await listHotspots(c);
      const unknown = [
        ...scope.hotspots.filter((id) => !hotspots.some((h) => h.id === id)).map((id) => `--hotspot ${id}`),
        ...scope.kecamatan.filter((k) => !hotspots.some((h) => h.kecamatan === k)).map((k) => `--kecamatan ${k}`),
      ];
      if (unknown.length) throw new UsageError(`${unknown.join(', ')}: not in the site`);
      const key = await createAdminApiKey(c.redis, c.keys, CLI_ACTOR, { name, role, scope });
      process.stdout.write(
        `Admin API key "${name}" (${role}${role === 'operator' ? ` of ${[...scope.kecamatan, ...scope.hotspots].join(', ')}` : ''}; shown once, keep it secret):\n${key}\n\n` +
          `It works now (revoke it under Operators, or: ${CLI} api-key revoke ID). Try it:\n` +
          `curl -s -H "Authorization: Bearer ${key}" ${c.publicUrl}/api/v1/pool\n`,
      );
      return 0;
    });
  }
  if (sub === 'list') {
    return withRedis(async (c) => {
      const keys = await listAdminApiKeys(c.redis, c.keys);
      process.stdout.write(keys.length ? `${keys.map((k) => `${k.id}  ${k.name}  ${k.role}${k.scope.kecamatan.length + k.scope.hotspots.length ? ` (${[...k.scope.kecamatan, ...k.scope.hotspots].join(', ')})` : ''}  by ${k.createdBy}`).join('\n')}\n` : 'no admin API keys\n');
      return 0;
    });
  }
  if (sub === 'revoke') {
    const [id] = rest;
    if (!id || rest.length > 1) throw new UsageError('give the ID that api-key list shows');
    return withRedis(async (c) => {
      await revokeAdminApiKey(c.redis, c.keys, CLI_ACTOR, id);
      process.stdout.write(`revoked ${id}\n`);
      return 0;
    });
  }
  throw new UsageError(`unknown api-key command "${sub ?? ''}"`);
}

// ---------------------------------------------------------------------------------------------------- vouchers

const createOptions = z.object({
  count: z.coerce.number().int().min(1).max(1000, 'at most 1000 vouchers at once'),
  hours: z.coerce.number().positive().max(24 * 366, 'at most a year'),
  devices: z.coerce.number().int().min(1).max(20),
  mb: z.coerce.number().int().min(1).max(1_000_000),
  'redeem-days': z.coerce.number().int().min(1).max(3650).default(90),
  hotspot: z.array(z.string()).default([]),
  kecamatan: z.array(z.string()).default([]),
  note: z.string().max(200).default(''),
});

async function vouchers(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parse(rest, {
      count: { type: 'string' }, hours: { type: 'string' }, devices: { type: 'string' }, mb: { type: 'string' }, 'redeem-days': { type: 'string' },
      hotspot: { type: 'string', multiple: true }, kecamatan: { type: 'string', multiple: true }, note: { type: 'string' }, batch: { type: 'string' },
    });
    if (values.batch !== undefined) throw new UsageError('--batch: Limpah names every batch itself, so that no two batches merge; put your label in --note');
    const parsed = createOptions.safeParse(values);
    if (!parsed.success) throw new UsageError(issuesText(parsed.error.issues, { prefix: '--', separator: '\n' }));
    const o = parsed.data;
    return withRedis(async (c) => {
      const { batch, codes } = await createVoucherBatch(c, CLI_ACTOR, {
        count: o.count, validityHours: o.hours, deviceLimit: o.devices, quotaMB: o.mb, redeemDays: o['redeem-days'], hotspots: o.hotspot, kecamatan: o.kecamatan, note: o.note,
      });
      const scope = [...o.hotspot, ...o.kecamatan.map((k) => `kecamatan ${k}`)];
      process.stdout.write(
        `# batch ${batch}: ${codes.length} vouchers, each ${o.hours} h from first use, ${o.devices} device(s), ${o.mb} MB, ` +
          `${scope.length ? `at ${scope.join(', ')}` : 'at every hotspot'}; unused ones expire after ${o['redeem-days']} days\n` +
          `# cards to print (A4): ${c.publicUrl}/admin/vouchers/${encodeURIComponent(batch)}/print\n` +
          `# code         QR link\n${codes.map((code) => `${formatCode(code)}  ${c.publicUrl}/v/${formatCode(code)}`).join('\n')}\n`,
      );
      return 0;
    });
  }
  if (sub === 'revoke-batch') {
    const [batch] = rest;
    if (!batch || rest.length > 1) throw new UsageError('give the batch id, e.g. 2026-11-30-a1b2c3');
    return withRedis(async (c) => {
      process.stdout.write(`revoked ${await revokeBatch(c, CLI_ACTOR, batch)} vouchers of batch ${batch}\n`);
      return 0;
    });
  }
  if (sub === 'show' || sub === 'revoke') {
    const code = normalizeCode(rest.join(''));
    if (!code) throw new UsageError('give a voucher code, e.g. K7QMX-3RTPA');
    return withRedis(async (c) => {
      if (sub === 'revoke') await revokeVoucherCode(c, CLI_ACTOR, code);
      const v = await findVoucher(c, formatCode(code));
      process.stdout.write(`${JSON.stringify({ ...v, code: formatCode(v.code) }, null, 2)}\n`);
      return 0;
    });
  }
  throw new UsageError(`unknown vouchers command "${sub ?? ''}"`);
}

// ---------------------------------------------------------------------------------------------------- accounts

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
  const { values } = parse(rest, { name: { type: 'string' }, role: { type: 'string' } });
  const user = usernameSchema.safeParse(username);
  if (!user.success) throw new UsageError(`USERNAME ${user.error.issues[0]!.message}`);
  const role = (values.role ?? 'admin') as Role;
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (sub !== 'create' && sub !== 'password') throw new UsageError(`unknown admin command "${sub ?? ''}"`);
  const password = await readPassword(`Password for ${user.data} (12 or more characters): `);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(`the password ${problem}`);
  return withRedis(async (c) => {
    if (sub === 'create') {
      try {
        await createOperatorAccount(c, CLI_ACTOR, { username: user.data, name: values.name ?? user.data, role, password });
      } catch (err) {
        if (err instanceof AdminError && err.code === 'CONFLICT') throw new UsageError(`${user.data} exists already; to set a new password: ${CLI} admin password ${user.data}`);
        throw err;
      }
      process.stdout.write(`created ${role} ${user.data}; sign in at ${c.publicUrl}/admin\n`);
    } else {
      await changeOperator(c, CLI_ACTOR, user.data, { password });
      process.stdout.write(`new password set for ${user.data}; sign in at ${c.publicUrl}/admin\n`);
    }
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'new-api-key':
      return newTelemetryKey(rest);
    case 'api-key':
      return apiKeys(rest);
    case 'vouchers':
      return vouchers(rest);
    case 'admin':
      return admin(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A refusal from the service (an unknown hotspot, a taken name, no such voucher) is the operator's to fix: its
    // message, exit code 1; a mistake in the command line also gets the usage, exit code 2.
    process.stderr.write(err instanceof UsageError ? `${err.message}\n\n${USAGE}` : `${(err as Error).message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
