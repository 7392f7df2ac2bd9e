import * as snmp from 'net-snmp';
import type { SnmpDevice } from '../../config/site';

/**
 * SNMP as the collector needs it, over the npm `net-snmp` package: GET a few OIDs, walk a column, with errors an
 * operator can act on. Counter64 values (which net-snmp hands over as big-endian bytes) become bigints.
 */

export type SnmpValue = bigint | number | string | null;

/** Why a poll failed, in words for the console, and a short code for metrics. */
export class SnmpError extends Error {
  constructor(
    readonly code: 'timeout' | 'auth' | 'unknown-user' | 'decrypt' | 'no-such' | 'refused' | 'protocol',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SnmpError';
  }
}

export interface SnmpClient {
  /** The values of these OIDs (null where the agent has no such object). */
  get(oids: readonly string[]): Promise<Map<string, SnmpValue>>;
  /** Every OID under `base`, with its value, in the agent's order. */
  walk(base: string): Promise<Array<[string, SnmpValue]>>;
  close(): void;
}

/** GET requests carry at most this many OIDs, well inside a 1,500-byte datagram. */
const GET_BATCH = 24;

export function openSnmp(device: Pick<SnmpDevice, 'host' | 'port' | 'version' | 'community' | 'user' | 'authProtocol' | 'authKey' | 'privKey' | 'timeoutMs' | 'retries'>): SnmpClient {
  const options = {
    port: device.port,
    retries: device.retries,
    timeout: device.timeoutMs,
    transport: (device.host.includes(':') ? 'udp6' : 'udp4') as 'udp4' | 'udp6',
    idBitsSize: 32 as const,
  };
  const session =
    device.version === '3'
      ? snmp.createV3Session(device.host, {
          name: device.user ?? '',
          level: snmp.SecurityLevel.authPriv,
          authProtocol: device.authProtocol === 'sha' ? snmp.AuthProtocols.sha : snmp.AuthProtocols.sha256,
          authKey: device.authKey ?? '',
          privProtocol: snmp.PrivProtocols.aes,
          privKey: device.privKey ?? '',
        }, { ...options, version: snmp.Version3 })
      : snmp.createSession(device.host, device.community ?? '', { ...options, version: snmp.Version2c });
  // A socket error (an unreachable host reported by ICMP) reaches the pending request as its error as well.
  session.on('error', () => undefined);

  const getOnce = (oids: string[]) =>
    new Promise<Array<[string, SnmpValue]>>((resolve, reject) => {
      session.get(oids, (err, varbinds) => {
        if (err) return reject(describe(err, device));
        resolve((varbinds ?? []).map((vb) => [vb.oid, snmp.isVarbindError(vb) ? null : decode(vb)]));
      });
    });

  return {
    async get(oids) {
      const out = new Map<string, SnmpValue>();
      for (let i = 0; i < oids.length; i += GET_BATCH) {
        for (const [oid, value] of await getOnce(oids.slice(i, i + GET_BATCH))) out.set(oid, value);
      }
      return out;
    },
    walk(base) {
      return new Promise((resolve, reject) => {
        const rows: Array<[string, SnmpValue]> = [];
        session.subtree(
          base,
          20,
          (varbinds: snmp.Varbind[]) => {
            for (const vb of varbinds) if (!snmp.isVarbindError(vb)) rows.push([vb.oid, decode(vb)]);
          },
          (err: Error | null) => (err ? reject(describe(err, device)) : resolve(rows)),
        );
      });
    },
    close() {
      try {
        session.close();
      } catch {
        // Closing twice, or a socket that never opened: nothing to free.
      }
    },
  };
}

function decode(vb: snmp.Varbind): SnmpValue {
  const v: unknown = vb.value;
  if (vb.type === snmp.ObjectType.Counter64) return toBigInt(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
  return v == null ? null : String(v);
}

/** net-snmp gives a Counter64 as up to 8 big-endian bytes (sometimes a number for small values). */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (Buffer.isBuffer(v)) {
    let n = 0n;
    for (const byte of v) n = (n << 8n) | BigInt(byte);
    return n;
  }
  throw new SnmpError('protocol', `unexpected Counter64 value ${String(v)}`);
}

/** Turns net-snmp's errors into what an operator can do about them. */
function describe(err: Error, device: Pick<SnmpDevice, 'host' | 'port' | 'version' | 'timeoutMs' | 'retries'>): SnmpError {
  const where = `${device.host}:${device.port}`;
  const msg = err.message ?? String(err);
  if (err.name === 'RequestTimedOutError' || /timed out/i.test(msg)) {
    return new SnmpError(
      'timeout',
      `no answer from ${where} within ${device.timeoutMs} ms (${device.retries + 1} tries): check the address, that SNMP is enabled on the router, and that ${device.version === '3' ? 'the v3 user exists' : 'the community is right (a wrong community gets no answer)'}`,
      { cause: err },
    );
  }
  if (/authenticat|digest/i.test(msg)) {
    return new SnmpError('auth', `${where} refused the SNMP v3 authentication: check the authentication key and protocol (SHA or SHA-256)`, { cause: err });
  }
  if (/unknown user|usmStatsUnknownUserNames|unknown security name/i.test(msg)) {
    return new SnmpError('unknown-user', `${where} does not know this SNMP v3 user: check the user name on the router`, { cause: err });
  }
  if (/decrypt|usmStatsDecryptionErrors/i.test(msg)) {
    return new SnmpError('decrypt', `${where} could not decrypt the request: check the privacy (AES) key`, { cause: err });
  }
  if (err instanceof snmp.RequestFailedError) return new SnmpError('refused', `${where} refused the request: ${msg}`, { cause: err });
  return new SnmpError('protocol', `SNMP error from ${where}: ${msg}`, { cause: err });
}
