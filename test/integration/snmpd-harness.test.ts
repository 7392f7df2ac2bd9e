import * as snmp from 'net-snmp';
import { eventually } from '../support/eventually';
import { MTXR_QUEUE_SIMPLE, startSnmpd, type SnmpdLab } from '../support/snmpd';

// Proves the harness itself (test/support/snmpd.ts) with the npm net-snmp client the collector uses.
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1';
const IF_HC_IN_OCTETS = '1.3.6.1.2.1.31.1.1.1.6';
const IF_HC_OUT_OCTETS = '1.3.6.1.2.1.31.1.1.1.10';
const QUEUES = ['dinkes', 'disdik'] as const;
const col = (column: number, index: number): string => `${MTXR_QUEUE_SIMPLE.entry}.${column}.${index}`;

function v2c(lab: SnmpdLab, community = lab.community, timeoutMs = 2000): snmp.Session {
  const session = snmp.createSession(lab.host, community, { port: lab.port, version: snmp.Version2c, timeout: timeoutMs, retries: 0 });
  session.on('error', () => undefined);
  return session;
}

function v3(lab: SnmpdLab, keys: { authKey?: string; privKey?: string } = {}, timeoutMs = 2000): snmp.Session {
  const user: snmp.User = {
    name: lab.v3.user,
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha256,
    authKey: keys.authKey ?? lab.v3.authKey,
    privProtocol: snmp.PrivProtocols.aes,
    privKey: keys.privKey ?? lab.v3.privKey,
  };
  const session = snmp.createV3Session(lab.host, user, { port: lab.port, timeout: timeoutMs, retries: 0 });
  session.on('error', () => undefined);
  return session;
}

function get(session: snmp.Session, oids: string[]): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => {
    session.get(oids, (err, varbinds) => {
      if (err) return reject(err);
      const bad = varbinds!.find((vb) => snmp.isVarbindError(vb));
      if (bad) return reject(new Error(`${bad.oid}: ${snmp.varbindError(bad)}`));
      resolve(varbinds!);
    });
  });
}

function walk(session: snmp.Session, oid: string): Promise<snmp.Varbind[]> {
  return new Promise((resolve, reject) => {
    const all: snmp.Varbind[] = [];
    session.subtree(oid, 20, (varbinds) => void all.push(...varbinds), (err) => (err ? reject(err) : resolve(all)));
  });
}

/** net-snmp hands a Counter64 over as big-endian bytes (or a number when small). */
function counter64(vb: snmp.Varbind): bigint {
  expect(vb.type).toBe(snmp.ObjectType.Counter64);
  const v = vb.value as unknown;
  if (typeof v === 'number') return BigInt(v);
  const buf = v as Buffer;
  return buf.length === 0 ? 0n : BigInt(`0x${buf.toString('hex')}`);
}

async function read64(session: snmp.Session, oid: string): Promise<bigint> {
  const [vb] = await get(session, [oid]);
  return counter64(vb!);
}

async function upTimeTicks(session: snmp.Session): Promise<number> {
  const [vb] = await get(session, [SYS_UPTIME]);
  expect(vb!.type).toBe(snmp.ObjectType.TimeTicks);
  return vb!.value as number;
}

/** Waits until the counter at `oid` has grown by `bytes` ±10% over `before`, and returns the growth. */
async function growsBy(session: snmp.Session, oid: string, before: bigint, bytes: number, what: string): Promise<number> {
  return eventually(
    async () => {
      const grown = Number((await read64(session, oid)) - before);
      expect(grown).toBeGreaterThanOrEqual(bytes * 0.9);
      expect(grown).toBeLessThanOrEqual(bytes * 1.1);
      return grown;
    },
    { what },
  );
}

function errorOf(p: Promise<unknown>): Promise<Error & { code?: number }> {
  return p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: Error) => err,
  );
}

describe('snmpd harness (a real Debian snmpd in its own namespace)', () => {
  let lab: SnmpdLab;
  let session: snmp.Session;
  let ifIndex: number;

  beforeAll(async () => {
    lab = await startSnmpd({ queues: QUEUES });
    session = v2c(lab);
    const names = await walk(session, IF_NAME);
    const mine = names.find((vb) => String(vb.value) === lab.ifName);
    if (!mine) throw new Error(`no ifName ${lab.ifName} in ${names.map((vb) => `${vb.oid}=${String(vb.value)}`).join(', ')}`);
    ifIndex = Number(mine.oid.split('.').pop());
  });
  afterAll(async () => {
    session?.close();
    await lab?.stop();
  });

  it('answers v2c from the test side only: sysUpTime, and its veth in IF-MIB', async () => {
    expect(lab.host).toMatch(/^10\.99\.(2[0-4]\d|250)\.1$/);
    expect(lab.clientIp).toBe(lab.host.replace(/\.1$/, '.2'));
    expect(await upTimeTicks(session)).toBeGreaterThan(0);
    expect(ifIndex).toBeGreaterThan(0);
    // A wrong community gets no answer at all (snmpd drops it), so the client times out.
    const wrong = v2c(lab, 'not-the-community', 300);
    const err = await errorOf(get(wrong, [SYS_UPTIME]));
    wrong.close();
    expect(err.name).toBe('RequestTimedOutError');
  });

  it('counts send() as IN and receive() as OUT on the agent veth (ifHCInOctets / ifHCOutOctets)', async () => {
    const inOid = `${IF_HC_IN_OCTETS}.${ifIndex}`;
    const outOid = `${IF_HC_OUT_OCTETS}.${ifIndex}`;
    const [in0, out0] = [await read64(session, inOid), await read64(session, outOid)];
    const sent = await lab.send(500_000, 20_000);
    expect(sent.bytes).toBe(500_000);
    // 500 kB at 20 Mbit/s is 200 ms; the pacing is coarse, so only "about".
    expect(sent.ms).toBeGreaterThan(100);
    const received = await lab.receive(300_000, 20_000);
    expect(received.bytes).toBe(300_000);
    // snmpd refreshes IF-MIB from the kernel every few seconds: both are waited for together.
    await Promise.all([
      growsBy(session, inOid, in0, sent.bytes, 'ifHCInOctets to grow by what send() pushed'),
      growsBy(session, outOid, out0, received.bytes, 'ifHCOutOctets to grow by what receive() pulled'),
    ]);
  });

  it('answers v3 authPriv (SHA-256/AES) and refuses a wrong auth key with a Wrong Digest report', async () => {
    const good = v3(lab);
    expect(await upTimeTicks(good)).toBeGreaterThan(0);
    good.close();

    const bad = v3(lab, { authKey: `${lab.v3.authKey}-wrong` });
    const err = await errorOf(get(bad, [SYS_UPTIME]));
    bad.close();
    expect(err.name).toBe('ResponseInvalidError');
    expect(err.message).toBe('Wrong Digest (incorrect password, community or key)');
    expect(err.code).toBe(snmp.ResponseInvalidCode.EAuthFailure);
  });

  it('serves the MikroTik simple-queue table stand-in, whose bytes follow what was sent to each queue', async () => {
    const table = await walk(session, MTXR_QUEUE_SIMPLE.entry);
    const oids = table.map((vb) => vb.oid);
    const byOid = new Map(table.map((vb) => [vb.oid, vb]));
    expect(String(byOid.get(col(MTXR_QUEUE_SIMPLE.name, 1))!.value)).toBe('dinkes');
    expect(String(byOid.get(col(MTXR_QUEUE_SIMPLE.name, 2))!.value)).toBe('disdik');
    expect(byOid.get(col(MTXR_QUEUE_SIMPLE.iface, 1))!.value).toBe(ifIndex);
    expect(byOid.get(col(MTXR_QUEUE_SIMPLE.bytesIn, 2))!.type).toBe(snmp.ObjectType.Counter64);
    expect(byOid.get(col(MTXR_QUEUE_SIMPLE.bytesOut, 1))!.type).toBe(snmp.ObjectType.Counter64);
    // A walk is a chain of GETNEXTs: it only ends up complete and in order if getnext is lexicographic.
    expect(oids).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11].flatMap((c) => [col(c, 1), col(c, 2)]));

    const disdikIn = col(MTXR_QUEUE_SIMPLE.bytesIn, 2);
    const dinkesIn = col(MTXR_QUEUE_SIMPLE.bytesIn, 1);
    const [disdikIn0, dinkesIn0] = [await read64(session, disdikIn), await read64(session, dinkesIn)];
    const sent = await lab.send(400_000, 20_000, 'disdik');
    await growsBy(session, disdikIn, disdikIn0, sent.bytes, "disdik's BytesIn to grow by what send() pushed to it");
    expect(Number((await read64(session, dinkesIn)) - dinkesIn0)).toBeLessThan(2_000);

    const dinkesOut = col(MTXR_QUEUE_SIMPLE.bytesOut, 1);
    const dinkesOut0 = await read64(session, dinkesOut);
    const received = await lab.receive(300_000, 20_000, 'dinkes');
    await growsBy(session, dinkesOut, dinkesOut0, received.bytes, "dinkes's BytesOut to grow by what receive() pulled from it");

    // GET of a row that does not exist: noSuchInstance/noSuchObject, not an answer from another row.
    await expect(get(session, [col(MTXR_QUEUE_SIMPLE.name, 3)])).rejects.toThrow(/NoSuch/);
    await expect(lab.send(1, 8, 'no-such-queue')).rejects.toThrow(/no queue "no-such-queue"/);
  });

  it('restart() starts sysUpTime again, keeps v3 working and can reset the queue counters', async () => {
    const before = await eventually(
      async () => {
        const ticks = await upTimeTicks(session);
        expect(ticks).toBeGreaterThanOrEqual(100);
        return ticks;
      },
      { what: 'sysUpTime to reach 1 s' },
    );
    expect(await read64(session, col(MTXR_QUEUE_SIMPLE.bytesIn, 2))).toBeGreaterThan(0n);

    await lab.restart({ resetQueueCounters: true });

    expect(await upTimeTicks(session)).toBeLessThan(before);
    expect(await read64(session, col(MTXR_QUEUE_SIMPLE.bytesIn, 2))).toBeLessThan(1_000n);
    const fresh = v3(lab);
    expect(await upTimeTicks(fresh)).toBeGreaterThanOrEqual(0);
    fresh.close();
  });

  it('silence() makes a GET time out; resume() answers again', async () => {
    lab.silence();
    try {
      const quick = v2c(lab, lab.community, 300);
      const err = await errorOf(get(quick, [SYS_UPTIME]));
      quick.close();
      expect(err.name).toBe('RequestTimedOutError');
      expect(err.message).toBe('Request timed out');
    } finally {
      lab.resume();
    }
    expect(await upTimeTicks(session)).toBeGreaterThan(0);
  });
});
