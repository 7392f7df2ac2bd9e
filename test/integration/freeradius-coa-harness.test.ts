import { spawn } from 'node:child_process';
import { startFreeradiusCoa, type FreeradiusCoa } from '../support/freeradius-coa';

// Quotes, $ and %: proves the secret reaches clients.conf literally.
const SECRET = `co'a-"$ecret%{x}\${y}`;
const NAK_USER = 'g-gone';

interface RadclientRun {
  output: string;
  /** e.g. 'CoA-ACK', or null when no reply came. */
  code: string | null;
}

/** Runs the real radclient; it exits 1 on a NAK, so the exit code is not an error here. */
function radclient(port: number, command: 'coa' | 'disconnect', secret: string, lines: string[]): Promise<RadclientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${port}`, command, secret], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run radclient (apt-get install freeradius-utils): ${err.message}`)));
    child.on('close', () => resolve({ output, code: /^Received (\S+)/m.exec(output)?.[1] ?? null }));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

describe('FreeRADIUS CoA/Disconnect receiver harness', () => {
  let nas: FreeradiusCoa;
  beforeAll(async () => {
    nas = await startFreeradiusCoa({ secret: SECRET, nakUserName: NAK_USER });
  });
  afterAll(async () => {
    await nas?.stop();
  });

  const session = ['User-Name = "g-abc"', 'Acct-Session-Id = "81a00001"', 'Mikrotik-Rate-Limit = "512k/1024k"'];

  it('ACKs a Disconnect-Request and a CoA-Request and records both with their attributes', async () => {
    const disc = await radclient(nas.port, 'disconnect', SECRET, session);
    expect(disc.code).toBe('Disconnect-ACK');
    expect(disc.output).toContain('Received Disconnect-ACK');

    const coa = await radclient(nas.port, 'coa', SECRET, [
      ...session,
      'Framed-IP-Address = 10.5.50.7',
      'WISPr-Bandwidth-Max-Down = 1048576',
      'Filter-Id = "quote\\"back\\\\slash"',
    ]);
    expect(coa.code).toBe('CoA-ACK');

    const received = await nas.received();
    expect(received).toEqual([
      {
        code: 'Disconnect-Request',
        attributes: { 'User-Name': 'g-abc', 'Acct-Session-Id': '81a00001', 'Mikrotik-Rate-Limit': '512k/1024k' },
      },
      {
        code: 'CoA-Request',
        attributes: {
          'User-Name': 'g-abc',
          'Acct-Session-Id': '81a00001',
          'Mikrotik-Rate-Limit': '512k/1024k',
          'Framed-IP-Address': '10.5.50.7',
          'WISPr-Bandwidth-Max-Down': '1048576',
          'Filter-Id': 'quote"back\\slash',
        },
      },
    ]);
  });

  it('NAKs the configured user with Error-Cause Session-Context-Not-Found, and still records it', async () => {
    const coa = await radclient(nas.port, 'coa', SECRET, [`User-Name = "${NAK_USER}"`, 'Acct-Session-Id = "81a00002"']);
    expect(coa.code).toBe('CoA-NAK');
    expect(coa.output).toMatch(/Error-Cause = Session-Context-Not-Found/);

    const disc = await radclient(nas.port, 'disconnect', SECRET, [`User-Name = "${NAK_USER}"`]);
    expect(disc.code).toBe('Disconnect-NAK');
    expect(disc.output).toMatch(/Error-Cause = Session-Context-Not-Found/);

    const received = await nas.received();
    expect(received.slice(-2)).toEqual([
      { code: 'CoA-Request', attributes: { 'User-Name': NAK_USER, 'Acct-Session-Id': '81a00002' } },
      { code: 'Disconnect-Request', attributes: { 'User-Name': NAK_USER } },
    ]);
  });

  it('accepts a valid Message-Authenticator and drops a request signed with the wrong secret', async () => {
    const withMa = await radclient(nas.port, 'coa', SECRET, ['User-Name = "g-ma"', 'Message-Authenticator = 0x00']);
    expect(withMa.code).toBe('CoA-ACK');
    expect((await nas.received()).at(-1)).toEqual({
      code: 'CoA-Request',
      attributes: { 'User-Name': 'g-ma', 'Message-Authenticator': expect.stringMatching(/^0x[0-9a-f]{32}$/) },
    });

    const before = (await nas.received()).length;
    const wrong = await radclient(nas.port, 'coa', 'not-the-secret', ['User-Name = "g-abc"']);
    expect(wrong.code).toBeNull();
    expect(await nas.received()).toHaveLength(before);
  });
});
