import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/paths';
import { podman, RUNTIME, runCommand, tail, ULIMITS } from './podman';
import { ensureStandInBase } from './stand-in-base';

/** The image the container tests build from the working tree and run. */
export const LIMPAH_IMAGE = 'localhost/limpah:ci';

/** The CA bundle the host trusts, which npm inside the build must trust too to reach the registry from here. */
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

export interface Built {
  readonly image: string;
  readonly base: string;
  /** Seconds `podman build` took (a cold build when the layers were not cached, else a cached one). */
  readonly buildSeconds: number;
  readonly sizeBytes: number;
}

/**
 * Builds the project's Dockerfile, as shipped, on the stand-in base: `--build-arg NODE_IMAGE` is its only change.
 * npm reaches the registry through the host's network and trusts the host's CA bundle, given to the build for the
 * build only (podman's `build -v`): the Dockerfile stays what Docker users build, and the final stage, which runs
 * no command, holds nothing of it.
 */
export async function buildLimpahImage(log: (line: string) => void, options: { noCache?: boolean } = {}): Promise<Built> {
  const base = await ensureStandInBase(log);
  const work = mkdtempSync(join(tmpdir(), 'limpah-build-'));
  try {
    const npmrc = join(work, 'npmrc');
    const mounts: string[] = [];
    if (existsSync(HOST_CA)) {
      writeFileSync(npmrc, `cafile=${HOST_CA}\n`);
      mounts.push('-v', `${HOST_CA}:${HOST_CA}:ro`, '-v', `${npmrc}:/usr/local/etc/npmrc:ro`);
    }
    const started = Date.now();
    const r = await runCommand('podman', [
      'build', ...RUNTIME, ...ULIMITS, '--network=host', '--pull=never', '--format', 'docker', ...(options.noCache ? ['--no-cache'] : []),
      '--build-arg', `NODE_IMAGE=${base}`, ...mounts, '-t', LIMPAH_IMAGE, paths.root,
    ]);
    const buildSeconds = (Date.now() - started) / 1000;
    if (r.code !== 0) throw new Error(`podman build of the Dockerfile failed (exit ${r.code}):\n${tail(r, 60)}`);
    const sizeBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', LIMPAH_IMAGE])).trim());
    log(`podman build of the Dockerfile: ${buildSeconds.toFixed(1)} s; ${LIMPAH_IMAGE} is ${Math.round(sizeBytes / 1e6)} MB`);
    return { image: LIMPAH_IMAGE, base, buildSeconds, sizeBytes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A stand-in for the official Redis image, which no registry here can give: Debian's redis-server on the same
 * base, run as `redis` in /data, as the official image runs it. For the compose file's Redis service only.
 */
export async function buildRedisStandIn(base: string): Promise<string> {
  const tag = `localhost/limpah-ci-redis:${base.split(':').pop()}`;
  if ((await runCommand('podman', ['image', 'exists', tag])).code === 0) return tag;
  const containerfile = [
    `FROM ${base}`,
    'RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null && rm -rf /var/lib/apt/lists/* \\',
    ' && mkdir /data && chown redis:redis /data',
    'WORKDIR /data',
    'USER redis',
    'VOLUME ["/data"]',
    'CMD ["redis-server"]',
  ].join('\n');
  const context = mkdtempSync(join(tmpdir(), 'limpah-redis-image-'));
  try {
    writeFileSync(join(context, 'Containerfile'), `${containerfile}\n`);
    const r = await runCommand('podman', ['build', ...RUNTIME, ...ULIMITS, '--network=host', '--pull=never', '-t', tag, context]);
    if (r.code !== 0) throw new Error(`building the Redis stand-in failed (exit ${r.code}):\n${tail(r)}`);
    return tag;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
