import { spawn } from 'node:child_process';

export interface RadclientReply {
  /** e.g. 'Access-Accept', or null when no reply came. */
  readonly code: string | null;
  /** Reply attributes as radclient prints them (quotes removed). */
  readonly attributes: Record<string, string>;
  readonly output: string;
}

/**
 * Runs the real FreeRADIUS radclient as the NAS. `attributes` are lines like `User-Name = "x"`;
 * radclient computes Message-Authenticator when given `Message-Authenticator = 0x00`.
 */
export function radclient(
  port: number,
  command: 'auth' | 'acct' | 'status',
  secret: string,
  attributes: string[],
  options: { retries?: number; timeoutSec?: number } = {},
): Promise<RadclientReply> {
  return new Promise((resolve, reject) => {
    const args = ['-x', '-r', String(options.retries ?? 1), '-t', String(options.timeoutSec ?? 2), `127.0.0.1:${port}`, command, secret];
    const child = spawn('radclient', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run radclient (apt-get install freeradius-utils): ${err.message}`)));
    child.on('close', () => {
      const lines = output.split('\n');
      const at = lines.findIndex((l) => l.startsWith('Received '));
      if (at === -1) return resolve({ code: null, attributes: {}, output });
      const code = /^Received (\S+)/.exec(lines[at]!)![1]!;
      const attrs: Record<string, string> = {};
      for (const line of lines.slice(at + 1)) {
        const m = /^\s+([\w-]+) = (.*)$/.exec(line);
        if (!m) break;
        attrs[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
      }
      resolve({ code, attributes: attrs, output });
    });
    child.stdin.end(`${attributes.join('\n')}\n`);
  });
}
