import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../log';

export interface Datagram {
  readonly msg: Buffer;
  readonly address: string;
  readonly port: number;
}

/** Handles one datagram; resolves to the reply to send back, or null to stay silent. Must not throw. */
export type DatagramHandler = (d: Datagram) => Promise<Buffer | null>;

/** A UDP listener: knows sockets, nothing of RADIUS. */
export class UdpListener {
  private socket: Socket | undefined;
  /** Requests being handled, and a wake-up for close() when the last one is answered. */
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly host: string,
    private readonly port: number,
    private readonly handler: DatagramHandler,
    private readonly logger: Logger,
  ) {}

  start(): Promise<number> {
    const socket = createSocket({ type: isIPv6(this.host) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    // One promise reaction per datagram (no then/catch/finally chain): this runs for every RADIUS request.
    socket.on('message', (msg, rinfo) => {
      const d: Datagram = { msg, address: rinfo.address, port: rinfo.port };
      this.inFlight++;
      this.handler(d).then(
        (reply) => {
          if (reply && this.socket) this.socket.send(reply, d.port, d.address);
          this.done();
        },
        (err: unknown) => {
          this.logger.error({ err, listener: this.name, from: d.address }, 'RADIUS handler failed; no reply sent');
          this.done();
        },
      );
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, this.host, () => {
        socket.removeListener('error', reject);
        socket.on('error', (err) => this.logger.error({ err, listener: this.name }, 'UDP socket error'));
        resolve(socket.address().port);
      });
    });
  }

  private done(): void {
    if (--this.inFlight === 0) this.drained?.();
  }

  /** Stops receiving, waits for the requests in flight to be answered, then closes. */
  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    socket.removeAllListeners('message');
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
