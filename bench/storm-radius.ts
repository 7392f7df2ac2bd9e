/**
 * The routers' side of bench/login-storm.ts: RADIUS requests from 127.0.0.1 (the site's NAS address), as many in
 * flight as the storm needs. One UDP socket holds 256 identifiers, so the client keeps several sockets and hands
 * each request a free (socket, identifier) pair; every reply is checked against its request (Response
 * Authenticator, and Message-Authenticator when present) before it counts. No retransmission: a request without a
 * valid reply within the timeout counts as lost.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Code, encodeRequest, inspect, verifyResponse, type ReplyAttribute } from '../src/radius/codec';

export interface RadiusReply {
  /** Access-Accept, Access-Reject, Accounting-Response... or null when no valid reply came in time. */
  readonly code: number | null;
  readonly ms: number;
  /** Reply-Message, when the reply has one (Limpah says why it refused). */
  readonly replyMessage: string | undefined;
}

interface Pending {
  readonly authenticator: Buffer;
  readonly start: bigint;
  readonly resolve: (reply: RadiusReply) => void;
  readonly timer: NodeJS.Timeout;
}

const REPLY_MESSAGE = 18;

export class StormRadiusClient {
  private readonly sockets: Socket[] = [];
  private readonly pending: Array<Map<number, Pending>> = [];
  private readonly freeIds: number[][] = [];
  private readonly waiting: Array<() => void> = [];
  /** Replies that matched nothing in flight or failed verification. */
  invalid = 0;

  private constructor(
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  static async open(secret: string, sockets: number, timeoutMs: number): Promise<StormRadiusClient> {
    const client = new StormRadiusClient(secret, timeoutMs);
    for (let s = 0; s < sockets; s++) {
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
      const table = new Map<number, Pending>();
      sock.on('message', (msg: Buffer) => client.onMessage(table, s, msg));
      client.sockets.push(sock);
      client.pending.push(table);
      client.freeIds.push(Array.from({ length: 256 }, (_, i) => 255 - i));
    }
    return client;
  }

  private onMessage(table: Map<number, Pending>, socketIndex: number, msg: Buffer): void {
    const entry = msg.length >= 20 ? table.get(msg[1]!) : undefined;
    if (!entry || !verifyResponse(msg, entry.authenticator, this.secret)) {
      this.invalid++;
      return;
    }
    const ms = Number(process.hrtime.bigint() - entry.start) / 1e6;
    clearTimeout(entry.timer);
    this.release(table, socketIndex, msg[1]!);
    const message = inspect(msg)?.attributes.find(([type]) => type === REPLY_MESSAGE)?.[1].toString('utf8');
    entry.resolve({ code: msg[0]!, ms, replyMessage: message });
  }

  private release(table: Map<number, Pending>, socketIndex: number, identifier: number): void {
    table.delete(identifier);
    this.freeIds[socketIndex]!.push(identifier);
    this.waiting.shift()?.();
  }

  private async slot(): Promise<{ socketIndex: number; identifier: number }> {
    for (;;) {
      // The emptiest socket first, so that requests spread over all of them (and over every worker's queue).
      let best = -1;
      for (let s = 0; s < this.freeIds.length; s++) if (best === -1 || this.freeIds[s]!.length > this.freeIds[best]!.length) best = s;
      const identifier = this.freeIds[best]!.pop();
      if (identifier !== undefined) return { socketIndex: best, identifier };
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  /** Sends one request to 127.0.0.1:port and resolves with the verified reply (or code null after the timeout). */
  async request(port: number, code: typeof Code.AccessRequest | typeof Code.AccountingRequest, attributes: readonly ReplyAttribute[]): Promise<RadiusReply> {
    const { socketIndex, identifier } = await this.slot();
    const packet = encodeRequest(code, attributes, this.secret, { identifier, messageAuthenticator: code === Code.AccessRequest });
    const table = this.pending[socketIndex]!;
    return new Promise<RadiusReply>((resolve) => {
      const start = process.hrtime.bigint();
      const timer = setTimeout(() => {
        this.release(table, socketIndex, identifier);
        resolve({ code: null, ms: Number(process.hrtime.bigint() - start) / 1e6, replyMessage: undefined });
      }, this.timeoutMs);
      table.set(identifier, { authenticator: Buffer.from(packet.subarray(4, 20)), start, resolve, timer });
      this.sockets[socketIndex]!.send(packet, port, '127.0.0.1');
    });
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}
