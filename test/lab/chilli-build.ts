import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { paths } from '../../src/paths';

const run = promisify(execFile);

/**
 * CoovaChilli 1.9 (+2 commits, e0c7d7a; GPL-2.0), a test peer only: Limpah never links or ships it. The source
 * is kept in the repository so that the lab builds the same router on any fresh machine without a network.
 */
export const CHILLI_TARBALL = join(paths.root, 'test', 'lab', 'vendor', 'coova-chilli-1.9-e0c7d7a.tar.gz');
const CHILLI_SHA256 = 'a3f9aa17d8aacaaae81e51c6fc7e86174deaf2d05c42ea7f0a303e73c4ba376d';

/** The configure flags Debian's packaging of coova-chilli uses. */
const CONFIGURE_FLAGS = [
  '--enable-largelimits', '--enable-proxyvsa', '--enable-miniportal', '--enable-chilliredir', '--enable-chilliproxy',
  '--enable-binstatusfile', '--enable-chilliscript', '--enable-chilliradsec', '--enable-layer3', '--enable-eapol',
  '--enable-uamdomainfile', '--enable-redirdnsreq', '--enable-modules', '--enable-multiroute', '--enable-extadmvsa',
  '--with-openssl', '--with-poll', '--enable-json', '--enable-libjson',
];

export interface ChilliBuild {
  readonly prefix: string;
  readonly chilli: string;
  readonly query: string;
}

function buildOf(prefix: string): ChilliBuild {
  return { prefix, chilli: join(prefix, 'sbin', 'chilli'), query: join(prefix, 'sbin', 'chilli_query') };
}

/**
 * Builds CoovaChilli once per tarball checksum into `.lab-cache/chilli-<sha>/` (ignored by git) and returns where
 * it is. About a minute on two cores; later calls return at once.
 */
export async function ensureChilli(log: (line: string) => void = () => undefined): Promise<ChilliBuild> {
  const tarball = readFileSync(CHILLI_TARBALL);
  const sha = createHash('sha256').update(tarball).digest('hex');
  if (sha !== CHILLI_SHA256) throw new Error(`${CHILLI_TARBALL} has sha256 ${sha}, expected ${CHILLI_SHA256}: restore it from git`);
  const cache = join(paths.root, '.lab-cache');
  const prefix = join(cache, `chilli-${sha.slice(0, 12)}`);
  const done = join(prefix, '.built');
  if (existsSync(done)) return buildOf(prefix);

  for (const tool of ['autoconf', 'automake', 'libtoolize', 'gengetopt', 'make', 'cc']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`building CoovaChilli needs ${tool}: apt-get install -y autoconf automake libtool gengetopt libssl-dev libjson-c-dev build-essential`);
    }
  }
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'build-'));
  try {
    log(`building CoovaChilli from ${CHILLI_TARBALL} (about a minute, once)`);
    await run('tar', ['-xzf', CHILLI_TARBALL, '-C', work]);
    const src = join(work, 'coova-chilli');
    const opts = { cwd: src, maxBuffer: 64 * 1024 * 1024 };
    await run('sh', ['bootstrap'], opts);
    await run('./configure', [`--prefix=${prefix}`, `--sysconfdir=${prefix}/etc`, `--localstatedir=${prefix}/var`, ...CONFIGURE_FLAGS], opts);
    // CoovaChilli's makefiles race now and then with two jobs (generated sources): what a parallel make left
    // undone is finished by a serial one.
    await run('make', ['-j2'], opts).catch(async (err: unknown) => {
      log(`parallel make failed (${(err as Error).message.split('\n')[0]}); finishing with one job`);
      await run('make', [], opts);
    });
    // Installed into its final prefix (chilli keeps paths from configure), then marked complete last: a build cut
    // short is never taken for a good one.
    rmSync(prefix, { recursive: true, force: true });
    await run('make', ['install'], opts);
    mkdirSync(join(prefix, 'var', 'run'), { recursive: true });
    writeFileSync(done, `${sha}\n`);
    log(`CoovaChilli built in ${prefix}`);
    return buildOf(prefix);
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    const out = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.split('\n').filter((l) => !/warning:|^\s+\d* \||^\s+\||^In file|^\s*$|note:/.test(l));
    throw new Error(`building CoovaChilli failed: ${e.message.split('\n')[0]}\n${out.slice(-60).join('\n')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
