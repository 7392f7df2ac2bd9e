/**
 * The replies the server sent, by request, so that a retransmission (same source address and port, Identifier and
 * Request Authenticator: RFC 5080 2.2.2) gets the same bytes again without being decided twice.
 *
 * Kept outside the JavaScript heap: records in one ring of bytes, found through a Map from a 30-bit hash of the
 * request to the record's offset (small integers: no object per entry). A Map of strings to Buffers made the
 * garbage collector copy and promote every reply it kept, about a tenth of the server's CPU per request
 * (`npm run bench:radius`). A record is kept until the window passes or the ring needs its room; a request whose
 * hash another request took since is not found, and is decided again (the ledger answers a retransmitted admission
 * the same, and counts accounting once).
 *
 * A record: hash (4), time ms (8), source port (2), port kind (1), Identifier (1), Request Authenticator (16),
 * source address length (1) and text, reply length (2) and octets.
 */

const FIXED = 4 + 8 + 2 + 1 + 1 + 16 + 1 + 2;
/** Marks the ring's end: the next record is at offset 0. */
const WRAP = 0xffffffff;

export type CachePort = 'auth' | 'acct';

export class ReplyCache {
  private readonly ring: Buffer;
  private readonly at = new Map<number, number>();
  /** Where the next record goes, and where the oldest one is (equal when the ring is empty). */
  private head = 0;
  private tail = 0;
  private count = 0;

  constructor(
    private readonly windowMs: number,
    capacityBytes: number,
  ) {
    this.ring = Buffer.alloc(capacityBytes);
  }

  get size(): number {
    return this.count;
  }

  /** The reply sent to this request within the window, or undefined. */
  get(port: CachePort, sourceIp: string, sourcePort: number, msg: Buffer, nowMs: number): Buffer | undefined {
    this.expire(nowMs);
    const off = this.at.get(hashOf(port, sourcePort, msg));
    if (off === undefined || !this.matches(off, port, sourceIp, sourcePort, msg)) return undefined;
    const r = this.ring;
    const replyAt = off + FIXED - 2 + r[off + 32]!;
    return Buffer.from(r.subarray(replyAt + 2, replyAt + 2 + r.readUInt16BE(replyAt)));
  }

  /** Keeps the reply to a request; a reply too large for a tenth of the ring is not kept. */
  set(port: CachePort, sourceIp: string, sourcePort: number, msg: Buffer, reply: Buffer, nowMs: number): void {
    const ipLength = Buffer.byteLength(sourceIp, 'latin1');
    const size = FIXED + ipLength + reply.length;
    if (ipLength > 255 || size * 10 > this.ring.length) return;
    const off = this.reserve(size);
    const r = this.ring;
    const hash = hashOf(port, sourcePort, msg);
    r.writeUInt32BE(hash, off);
    r.writeDoubleBE(nowMs, off + 4);
    r.writeUInt16BE(sourcePort, off + 12);
    r[off + 14] = port === 'auth' ? 1 : 2;
    r[off + 15] = msg[1]!;
    msg.copy(r, off + 16, 4, 20);
    r[off + 32] = ipLength;
    r.write(sourceIp, off + 33, ipLength, 'latin1');
    r.writeUInt16BE(reply.length, off + 33 + ipLength);
    reply.copy(r, off + 35 + ipLength);
    this.at.set(hash, off);
    this.count++;
  }

  private matches(off: number, port: CachePort, sourceIp: string, sourcePort: number, msg: Buffer): boolean {
    const r = this.ring;
    if (r[off + 14] !== (port === 'auth' ? 1 : 2) || r[off + 15] !== msg[1] || r.readUInt16BE(off + 12) !== sourcePort) return false;
    for (let i = 0; i < 16; i++) if (r[off + 16 + i] !== msg[4 + i]) return false;
    const ipLength = r[off + 32]!;
    return ipLength === sourceIp.length && r.toString('latin1', off + 33, off + 33 + ipLength) === sourceIp;
  }

  /**
   * Room for `size` octets at the head, taken from the oldest records. The records lie from the tail to the head, or,
   * once the ring has wrapped, from the tail to a wrap mark (or the end) and on from 0 to the head.
   */
  private reserve(size: number): number {
    for (;;) {
      if (this.count === 0) {
        this.head = 0;
        this.tail = 0;
      }
      const wrapped = this.count > 0 && this.tail >= this.head;
      if (!wrapped) {
        if (this.head + size <= this.ring.length) break;
        // No room before the end: mark it and go on at 0, over the oldest records.
        if (this.head + 4 <= this.ring.length) this.ring.writeUInt32BE(WRAP, this.head);
        this.head = 0;
        continue;
      }
      if (this.head + size <= this.tail) break;
      this.dropOldest();
    }
    const off = this.head;
    this.head += size;
    return off;
  }

  private expire(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    while (this.count > 0 && this.ring.readDoubleBE(this.tail + 4) < cutoff) this.dropOldest();
  }

  private dropOldest(): void {
    const r = this.ring;
    const off = this.tail;
    const hash = r.readUInt32BE(off);
    if (this.at.get(hash) === off) this.at.delete(hash);
    const next = off + FIXED + r[off + 32]! + r.readUInt16BE(off + 33 + r[off + 32]!);
    this.count--;
    // The next record is at `next`, or at 0 past a wrap mark or the ring's end.
    if (this.count === 0) this.tail = this.head;
    else this.tail = next + 4 > r.length || r.readUInt32BE(next) === WRAP ? 0 : next;
  }
}

/** 30 bits of the request's identity: a small integer, so the Map holds it without an object. */
function hashOf(port: CachePort, sourcePort: number, msg: Buffer): number {
  let h = (msg.readUInt32LE(4) ^ msg.readUInt32LE(8) ^ msg.readUInt32LE(12) ^ msg.readUInt32LE(16)) >>> 0;
  h = (h ^ Math.imul(sourcePort + 1, 0x9e3779b1) ^ Math.imul(msg[1]! + (port === 'auth' ? 0 : 256), 0x85ebca6b)) >>> 0;
  return h & 0x3fffffff;
}
