import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FREERADIUS_BIN, radiusdPreamble, sq as singleQuoted, startFreeradiusProcess } from './freeradius-process';

/**
 * A real FreeRADIUS 3.x (Debian `freeradius`) playing the NAS side of RFC 5176: it listens for
 * CoA-Request / Disconnect-Request on 127.0.0.1 (as a MikroTik with `/radius incoming accept=yes`
 * would), records every packet it receives and answers ACK, or NAK with
 * `Error-Cause = Session-Context-Not-Found` (503) when `User-Name` equals `nakUserName`.
 *
 * Notes on FreeRADIUS 3.2.1 as a CoA receiver:
 *  - the request is checked against the client's secret (RFC 5176 Request Authenticator); a wrong
 *    secret is dropped without a reply.
 *  - Message-Authenticator is optional; if present it must be valid (HMAC-MD5 over the packet with a
 *    zeroed Request Authenticator) or the packet is dropped. With `requireMessageAuthenticator`
 *    the client entry gets `require_message_authenticator = yes` and a CoA packet WITHOUT one is
 *    dropped silently (only visible with -X).
 *  - its ACK/NAK replies carry no Message-Authenticator.
 */

export interface ReceivedPacket {
  code: 'CoA-Request' | 'Disconnect-Request';
  /** Attributes as FreeRADIUS prints them, string quotes stripped. A repeated attribute keeps its last value. */
  attributes: Record<string, string>;
}

export interface FreeradiusCoa {
  /** UDP port on 127.0.0.1 where CoA-Request and Disconnect-Request are accepted. */
  port: number;
  /** Every CoA-Request / Disconnect-Request answered so far, oldest first. */
  received(): Promise<ReceivedPacket[]>;
  /** Kills the server (SIGTERM, SIGKILL after 3 s) and removes its temp dir. */
  stop(): Promise<void>;
}

export interface FreeradiusCoaOptions {
  secret: string;
  /** CoA/Disconnect requests with this User-Name are answered NAK + Error-Cause 503. */
  nakUserName?: string;
  /** Reject (silently drop) requests without Message-Authenticator. Default false. */
  requireMessageAuthenticator?: boolean;
}

const READY_TIMEOUT_MS = 10_000;

/** A single-quoted FreeRADIUS string (see freeradius-process.ts); `what` names the value in the error. */
function sq(what: string, value: string): string {
  return singleQuoted(`${what} for the FreeRADIUS CoA receiver`, value);
}

function radiusdConf(dir: string, port: number, options: FreeradiusCoaOptions): string {
  const nak =
    options.nakUserName === undefined
      ? ''
      : `
    if (&User-Name == ${sq('nakUserName', options.nakUserName)}) {
      update reply {
        &Error-Cause := Session-Context-Not-Found
      }
      reject
    }`;
  return `${radiusdPreamble({ generatedBy: 'test/support/freeradius-coa.ts', dir, maxRequests: 1024, log: '  stripped_names = no\n  auth = no' })}
thread pool {
  start_servers = 1
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 2
  max_requests_per_server = 0
}

$INCLUDE clients.conf

modules {
  always ok {
    rcode = ok
  }
  always reject {
    rcode = reject
  }
  # One record per packet: header line = Packet-Type, then one tab-indented "Name = value" line
  # per attribute, then a blank line.
  detail received {
    filename = ${sq('temp dir', join(dir, 'received.detail'))}
    escape_filenames = no
    permissions = 0600
    header = "%{Packet-Type}"
    locking = no
  }
}

server coa {
  listen {
    type = coa
    ipaddr = 127.0.0.1
    port = ${port}
  }
  # Both CoA-Request and Disconnect-Request arrive here. "ok" -> ACK, "reject" -> NAK.
  recv-coa {
    received${nak}
    ok
  }
  send-coa {
    ok
  }
}
`;
}

function clientsConf(options: FreeradiusCoaOptions): string {
  return `client localhost {
  ipaddr = 127.0.0.1
  proto = udp
  secret = ${sq('secret', options.secret)}
  require_message_authenticator = ${options.requireMessageAuthenticator ? 'yes' : 'no'}
  nas_type = other
}
`;
}

/** Undoes FreeRADIUS's value escaping (\\, \", \n, \r, \t, \ooo octal bytes). */
function unescapeValue(raw: string): string {
  const m = /^"(.*)"$/s.exec(raw);
  if (!m) return raw;
  const body = m[1]!;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1]!;
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
      continue;
    }
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', "'": "'" };
    bytes.push(...Buffer.from(simple[next] ?? `\\${next}`, 'utf8'));
    i += 1;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Attributes the detail module adds itself; not part of the packet. */
const DETAIL_PSEUDO = new Set(['Packet-Type', 'Timestamp']);

export function parseDetail(text: string): ReceivedPacket[] {
  const packets: ReceivedPacket[] = [];
  let current: ReceivedPacket | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      current = null;
      continue;
    }
    if (!/^\s/.test(line)) {
      const header = line.trim();
      if (header !== 'CoA-Request' && header !== 'Disconnect-Request') {
        throw new Error(`unexpected packet type in FreeRADIUS detail file: ${header}`);
      }
      current = { code: header, attributes: {} };
      packets.push(current);
      continue;
    }
    const m = /^\s+([\w.:-]+) = (.*)$/.exec(line);
    if (!m || !current) throw new Error(`cannot parse FreeRADIUS detail line: ${JSON.stringify(line)}`);
    if (DETAIL_PSEUDO.has(m[1]!)) continue;
    current.attributes[m[1]!] = unescapeValue(m[2]!);
  }
  return packets;
}

export async function startFreeradiusCoa(options: FreeradiusCoaOptions): Promise<FreeradiusCoa> {
  const fr = await startFreeradiusProcess({
    bin: FREERADIUS_BIN,
    readyTimeoutMs: READY_TIMEOUT_MS,
    label: 'FreeRADIUS CoA receiver',
    spawnHint: ' (apt-get install freeradius)',
    tempPrefix: 'limpah-freeradius-coa-',
    async prepare(dir) {
      await writeFile(join(dir, 'clients.conf'), clientsConf(options), { mode: 0o600 });
    },
    radiusdConf: (dir, port) => radiusdConf(dir, port, options),
  });
  const { child } = fr;
  const detailFile = join(fr.dir, 'received.detail');
  return {
    port: fr.port,
    async received(): Promise<ReceivedPacket[]> {
      if (!fr.stopping && (child.exitCode !== null || child.signalCode !== null)) {
        throw new Error(`FreeRADIUS CoA receiver died (code ${child.exitCode}, signal ${child.signalCode})\n--- FreeRADIUS output ---\n${fr.output()}`);
      }
      let text: string;
      try {
        text = await readFile(detailFile, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      return parseDetail(text);
    },
    stop: () => fr.stop(),
  };
}
