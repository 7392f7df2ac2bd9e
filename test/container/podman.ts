import { spawn, spawnSync } from 'node:child_process';

/**
 * Podman as this machine can run it (see CONTAINER.md in the project's notes): rootful, with runc (Debian's crun
 * 1.8 fails on cgroups in hybrid mode), and with limits root can actually grant (podman's defaults are higher than
 * RLIMIT_NOFILE 20000 and RLIMIT_NPROC 32768 allow here). Every build and run goes through these.
 */
export const RUNTIME = ['--runtime', 'runc'];
export const ULIMITS = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];

/** The same, for podman started by someone else (podman-compose): a containers.conf that CONTAINERS_CONF names. */
export const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
`;

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end and returns what it printed; never throws for a non-zero exit. */
export function runCommand(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The last lines of a command's output, for an error message. */
export function tail(run: Run, lines = 40): string {
  return `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

/** `podman <args>`; throws with the command and its output when it fails. */
export async function podman(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await runCommand('podman', args, options);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited with ${r.code}:\n${tail(r)}`);
  return r.stdout;
}

/**
 * Why podman cannot build and run images here, or null when it can. The container tests call this first and fail
 * with the answer: never a silent skip (a CI machine without podman must not pass for one that proved the image).
 */
export function podmanProblem(): string | null {
  if (process.getuid?.() !== 0) return 'the container tests run rootful podman: run them as root (CI does)';
  for (const [tool, pkg] of [['podman', 'podman'], ['runc', 'runc'], ['debootstrap', 'debootstrap']] as const) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed: apt-get install -y podman runc debootstrap podman-compose`;
  }
  const info = spawnSync('podman', [...RUNTIME, 'info', '--format', '{{.Host.OCIRuntime.Name}}'], { encoding: 'utf8' });
  if (info.status !== 0) return `podman cannot start here (podman --runtime runc info exited with ${info.status}):\n${info.stderr.trim()}`;
  return null;
}
