import { eventually, GiveUp } from '../support/eventually';
import { podman, RUNTIME, runCommand, ULIMITS } from './podman';

export type LogLine = Record<string, unknown>;

/** Limpah's JSON log lines in a container's output (podman logs), anything else left out. */
export async function containerLog(name: string): Promise<LogLine[]> {
  const r = await runCommand('podman', ['logs', name]);
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

async function state(name: string): Promise<{ status: string; exitCode: number }> {
  const [status = '', code = ''] = (await podman(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name])).trim().split(' ');
  return { status, exitCode: Number(code) };
}

/** Waits for a container to exit and returns its exit code. */
export async function exitCode(name: string): Promise<number> {
  return eventually(
    async () => {
      const s = await state(name);
      if (s.status === 'running') throw new Error(`${name} is still running`);
      return s.exitCode;
    },
    { what: `${name} to exit`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

export interface LimpahContainer {
  readonly name: string;
  /** http://127.0.0.1:<port>: the portal on the host's loopback (host networking). */
  readonly portal: string;
  readonly authPort: number;
  readonly acctPort: number;
  /** Seconds from `podman run` to /readyz answering 200. */
  readonly readySeconds: number;
}

const port = (address: unknown) => Number(String(address).split(':').pop());

/**
 * Runs the image as an operator would on one host, with host networking so that RADIUS sees routers' real
 * addresses: here the routers are radclient on 127.0.0.1, and Limpah listens on loopback only. RADIUS ports are
 * chosen by the kernel (read back from the "Limpah is running" line); the portal's port is given, as the
 * HEALTHCHECK reads HTTP_PORT. Returns once /readyz answers 200; fails with the container's log if it exits first.
 */
export async function runLimpah(options: { image: string; name: string; httpPort: number; volume: string; siteFile: string; env: Record<string, string> }): Promise<LimpahContainer> {
  const env: Record<string, string> = {
    HTTP_HOST: '127.0.0.1', RADIUS_HOST: '127.0.0.1', HTTP_PORT: String(options.httpPort), RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0',
    SITE_FILE: '/etc/limpah/site.json', PUBLIC_URL: `http://127.0.0.1:${options.httpPort}`, ...options.env,
  };
  const started = Date.now();
  await podman([
    'run', '-d', ...RUNTIME, ...ULIMITS, '--name', options.name, '--network=host',
    '-v', `${options.volume}:/data`, '-v', `${options.siteFile}:/etc/limpah/site.json:ro`,
    ...Object.keys(env).flatMap((k) => ['-e', k]), options.image,
  ], { env: { ...process.env, ...env } });
  const running = await eventually(
    async () => {
      const lines = await containerLog(options.name);
      const line = lines.find((l) => l['msg'] === 'Limpah is running');
      if (line) return line;
      if ((await state(options.name)).status !== 'running') throw new GiveUp(`${options.name} exited:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      throw new Error('no "Limpah is running" line yet');
    },
    { what: `the "Limpah is running" line of ${options.name}`, timeoutMs: 30_000, intervalMs: 50 },
  );
  const portal = `http://127.0.0.1:${options.httpPort}`;
  await eventually(async () => (await fetch(`${portal}/readyz`)).status === 200, { what: '/readyz to answer 200', intervalMs: 20 });
  return { name: options.name, portal, authPort: port(running['radiusAuth']), acctPort: port(running['radiusAcct']), readySeconds: (Date.now() - started) / 1000 };
}
