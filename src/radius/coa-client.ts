import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../log';
import { Attr, Code, encodeRequest, inspect, verifyResponse, type ReplyAttribute } from './codec';

/** Where a CoA or Disconnect goes: the NAS's address, its CoA port (RFC 5176: 3799) and its secret. */
export interface CoaTarget {
  readonly ip: string;
  readonly port: number;
  readonly secret: string;
}

export type CoaOutcome =
  | { readonly ok: true; readonly code: 'ack' }
  | { readonly ok: false; readonly code: 'nak'; readonly errorCause: number | null }
  | { readonly ok: false; readonly code: 'timeout' }
  /** Limpah stopped before the NAS answered: it may or may not have applied the request. */
  | { readonly ok: false; readonly code: 'aborted' };

/** RFC 5176 3.6 Error-Cause values a NAS may send, by number. */
export const ERROR_CAUSES: Readonly<Record<number, string>> = Object.freeze({
  201: 'Residual Session Context Removed',
  401: 'Unsupported Attribute',
  402: 'Missing Attribute',
  403: 'NAS Identification Mismatch',
  404: 'Invalid Request',
  405: 'Unsupported Service',
  406: 'Unsupported Extension',
  407: 'Invalid Attribute Value',
  501: 'Administratively Prohibited',
  502: 'Request Not Routable (Proxy)',
  503: 'Session Context Not Found',
  504: 'Session Context Not Removable',
  505: 'Other Proxy Processing Error',
  506: 'Resources Unavailable',
  507: 'Request Initiated',
  508: 'Multiple Session Selection Unsupported',
});

interface Pending {
  readonly target: CoaTarget;
  readonly authenticator: Buffer;
  readonly ackCode: number;
  readonly nakCode: number;
  readonly resolve: (outcome: CoaOutcome) => void;
}

/**
 * The RFC 5176 client: sends CoA-Request and Disconnect-Request to NASes from one socket, retransmits the same
 * bytes on timeout, matches replies by source and Identifier, verifies them with the NAS's secret, and reports
 * ACK, NAK with its Error-Cause, or timeout. Identifiers are allocated per NAS so 256 may be in flight to each.
 */
export class CoaClient {
  private socket4: Socket | undefined;
  private socket6: Socket | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: { timeoutMs?: number; retries?: number } = {},
  ) {}

  private socketFor(ip: string): Socket {
    const v6 = isIPv6(ip);
    let s = v6 ? this.socket6 : this.socket4;
    if (!s) {
      s = createSocket(v6 ? 'udp6' : 'udp4');
      s.on('message', (msg, rinfo) => this.onReply(msg, rinfo.address, rinfo.port));
      s.on('error', (err) => this.logger.warn({ err }, 'CoA socket error'));
      s.unref();
      if (v6) this.socket6 = s;
      else this.socket4 = s;
    }
    return s;
  }

  private onReply(msg: Buffer, address: string, port: number): void {
    if (msg.length < 20) return;
    const key = `${address}|${port}|${msg[1]}`;
    const p = this.pending.get(key);
    if (!p) return;
    if (msg[0] !== p.ackCode && msg[0] !== p.nakCode) return;
    if (!verifyResponse(msg, p.authenticator, p.target.secret)) {
      this.logger.warn({ nasIp: address }, 'CoA reply failed verification (check the NAS secret); ignored');
      return;
    }
    this.pending.delete(key);
    if (msg[0] === p.ackCode) return p.resolve({ ok: true, code: 'ack' });
    const cause = inspect(msg)?.attributes.find(([t, v]) => t === Attr.ErrorCause && v.length === 4)?.[1];
    p.resolve({ ok: false, code: 'nak', errorCause: cause ? cause.readUInt32BE(0) : null });
  }

  private allocateId(target: CoaTarget): number | null {
    const start = Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const id = (start + i) % 256;
      if (!this.pending.has(`${target.ip}|${target.port}|${id}`)) return id;
    }
    return null;
  }

  /** Sends a Disconnect-Request or CoA-Request and resolves with the NAS's answer. Never rejects. */
  async send(kind: 'disconnect' | 'coa', target: CoaTarget, attributes: readonly ReplyAttribute[]): Promise<CoaOutcome> {
    if (this.closed) return { ok: false, code: 'aborted' };
    const code = kind === 'disconnect' ? Code.DisconnectRequest : Code.CoaRequest;
    const id = this.allocateId(target);
    if (id === null) return { ok: false, code: 'timeout' };
    const packet = encodeRequest(code, attributes, target.secret, { identifier: id, messageAuthenticator: true });
    const key = `${target.ip}|${target.port}|${id}`;
    const socket = this.socketFor(target.ip);
    const timeoutMs = this.options.timeoutMs ?? 1000;
    const tries = 1 + (this.options.retries ?? 2);
    return new Promise<CoaOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (outcome: CoaOutcome) => {
        if (timer) clearTimeout(timer);
        this.pending.delete(key);
        resolve(outcome);
      };
      this.pending.set(key, {
        target,
        authenticator: Buffer.from(packet.subarray(4, 20)),
        ackCode: code + 1,
        nakCode: code + 2,
        resolve: done,
      });
      let sent = 0;
      const attempt = () => {
        if (!this.pending.has(key)) return;
        if (sent === tries) return done({ ok: false, code: 'timeout' });
        sent++;
        socket.send(packet, target.port, target.ip);
        // RFC 5080-style backoff: each retransmission waits twice as long.
        timer = setTimeout(attempt, timeoutMs * 2 ** (sent - 1));
      };
      attempt();
    });
  }

  /** Stops at once: what is in flight resolves as 'aborted' (no retransmissions are waited for), nothing more is sent. */
  close(): void {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.resolve({ ok: false, code: 'aborted' });
    this.pending.clear();
    this.socket4?.close();
    this.socket6?.close();
    this.socket4 = this.socket6 = undefined;
  }
}
