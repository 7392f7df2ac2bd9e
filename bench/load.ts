/**
 * The benchmark's load generator, one for every server under test: the same UDP client, the same packets
 * (Access-Request, PAP, Message-Authenticator first; User-Name, User-Password, Calling-Station-Id, NAS-IP-Address),
 * a fixed number of requests in flight, every reply checked against its request (Response Authenticator and
 * Message-Authenticator) before it counts. A server's CPU is read from /proc/<pid>/stat, the same way for all.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { Code, encodeRequest, verifyResponse } from '../src/radius/codec';

export interface Credential {
  readonly username: string;
  readonly password: string;
  readonly mac: string;
}

export interface PreparedRequest {
  readonly packet: Buffer;
  readonly identifier: number;
  readonly authenticator: Buffer;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** Round-trip times in ms, sorted ascending, of the requests that got a valid reply. */
  readonly latencies: number[];
  readonly accepted: number;
  readonly rejected: number;
  /** No valid reply within the timeout. */
  readonly lost: number;
  /** Replies that matched no request in flight or failed verification (ignored). */
  readonly invalid: number;
  /** The first valid Access-Accept, to show what each server answers. */
  readonly sampleAccept: Buffer | undefined;
}

/** Locally administered MACs, 02:00:xx:xx:xx:xx, one per sequence number. */
export function benchMac(n: number): string {
  return `02:00:${[(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`.toUpperCase();
}

/**
 * Encodes the packets before the clock starts, so that the client spends its CPU on sending and checking only.
 * Identifiers go round the 256 values; the generator never has two requests with one identifier in flight.
 */
export function prepareRequests(credentials: readonly Credential[], secret: string): PreparedRequest[] {
  return credentials.map((c, i) => {
    const identifier = i % 256;
    const packet = encodeRequest(
      Code.AccessRequest,
      [['User-Name', c.username], ['User-Password', c.password], ['Calling-Station-Id', c.mac], ['NAS-IP-Address', '127.0.0.1']],
      secret,
      { identifier, messageAuthenticator: true },
    );
    return { packet, identifier, authenticator: Buffer.from(packet.subarray(4, 20)) };
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function openClient(): Promise<Socket> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return sock;
}

interface InFlight {
  readonly authenticator: Buffer;
  readonly start: bigint;
  readonly done: Promise<void>;
  settle: (code: number | null, reply: Buffer | null) => void;
}

/**
 * Sends every prepared request to 127.0.0.1:port with `concurrency` requests in flight, and waits for all replies
 * (or their timeout). No retransmissions: a request without a valid reply in `timeoutMs` counts as lost.
 */
export async function runLoad(options: {
  socket: Socket;
  port: number;
  secret: string;
  requests: readonly PreparedRequest[];
  concurrency: number;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const { socket, port, secret, requests, concurrency } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const inFlight = new Map<number, InFlight>();
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let lost = 0;
  let invalid = 0;
  let sampleAccept: Buffer | undefined;

  const onMessage = (msg: Buffer): void => {
    const entry = msg.length >= 20 ? inFlight.get(msg[1]!) : undefined;
    if (!entry || !verifyResponse(msg, entry.authenticator, secret)) {
      invalid++;
      return;
    }
    latencies.push(Number(process.hrtime.bigint() - entry.start) / 1e6);
    entry.settle(msg[0]!, msg);
  };
  socket.on('message', onMessage);

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const req = requests[next++]!;
      // Another worker's request with this identifier may still be waiting (only after a loss, in practice).
      for (let busy = inFlight.get(req.identifier); busy; busy = inFlight.get(req.identifier)) await busy.done;
      let settle!: InFlight['settle'];
      const done = new Promise<void>((resolve) => {
        settle = (code, reply) => {
          clearTimeout(timer);
          inFlight.delete(req.identifier);
          if (code === null) lost++;
          else if (code === Code.AccessAccept) {
            accepted++;
            sampleAccept ??= reply ?? undefined;
          } else rejected++;
          resolve();
        };
      });
      const timer = setTimeout(() => settle(null, null), timeoutMs);
      inFlight.set(req.identifier, { authenticator: req.authenticator, start: process.hrtime.bigint(), done, settle });
      socket.send(req.packet, port, '127.0.0.1');
      await done;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  socket.off('message', onMessage);
  latencies.sort((a, b) => a - b);
  return { requests: requests.length, seconds, latencies, accepted, rejected, lost, invalid, sampleAccept };
}

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), the unit of utime and stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process (all its threads), in microseconds, from /proc/<pid>/stat. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / clockTicksPerSecond();
}

/** Busy and total CPU time of the whole machine, in microseconds, from the first line of /proc/stat. */
export function machineCpuMicros(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  const scale = 1e6 / clockTicksPerSecond();
  return { busy: busy * scale, total: (busy + idle! + iowait!) * scale };
}
