import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';

/**
 * How a script call goes to a single Redis (scripts.ts registers it): one RESP frame per call, EVALSHA (EVAL the
 * first time on a connection), written through ioredis's own queue, and the calls of one turn of the event loop in
 * one write. ioredis's script path builds the frame from every argument anew, through a pipeline per tick, and
 * leaves a few kilobytes of garbage per call (bench:radius).
 */

/** A script file as scripts.ts reads it. */
interface ScriptSource {
  readonly numberOfKeys: number;
  readonly lua: string;
}

/** A script as sent on the wire: the RESP of EVALSHA <sha> <numkeys> and of EVAL <lua> <numkeys>, and where it is loaded. */
interface WireScript {
  readonly evalshaHead: string;
  readonly evalHead: string;
  /** The connections (sockets) that have been sent the script itself, as ioredis's Script tracks them. */
  loadedOn: WeakSet<object>;
}

const UTF8_REPLY = Object.freeze({ replyEncoding: 'utf8' as const });

/**
 * One script call as a Command of ioredis's: its queue, reply parsing, command timeout, offline queue and
 * reconnection are ioredis's; only the bytes are written here, one string built when ioredis writes the call. The
 * first call on a connection sends EVAL with the script (Redis caches it), later ones EVALSHA; a NOSCRIPT reply (the
 * cache was flushed) sends it once more with EVAL. While the reply is awaited the call holds its arguments only, not
 * the text it wrote: a call in flight when the garbage collector runs is copied, with everything it holds.
 */
class ScriptCall extends Command {
  constructor(
    private readonly client: Redis,
    private readonly script: WireScript,
    private readonly callArgs: ReadonlyArray<string | number>,
    retried = false,
  ) {
    super('evalsha', [], UTF8_REPLY);
    if (retried) return;
    const reject = this.reject;
    this.reject = (err: Error) => {
      if (!/^NOSCRIPT\b/.test(err.message)) return reject(err);
      this.script.loadedOn = new WeakSet();
      const again = new ScriptCall(this.client, this.script, this.callArgs, true);
      again.promise.then(this.resolve, reject);
      void this.client.sendCommand(again);
    };
  }

  override toWritable(socket: object): string {
    holdWritesForThisTurn(socket);
    const s = this.script;
    const args = this.callArgs;
    let text = `*${args.length + 3}\r\n`;
    if (s.loadedOn.has(socket)) {
      text += s.evalshaHead;
    } else {
      s.loadedOn.add(socket);
      this.name = 'eval';
      text += s.evalHead;
    }
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const arg = typeof a === 'string' ? a : String(a);
      text = text + '$' + Buffer.byteLength(arg) + '\r\n' + arg + '\r\n';
    }
    return text;
  }
}

export function scriptSender(client: Redis, file: ScriptSource): (...args: Array<string | number>) => Promise<unknown> {
  const sha = createHash('sha1').update(file.lua).digest('hex');
  const keys = String(file.numberOfKeys);
  const script: WireScript = {
    evalshaHead: `$7\r\nevalsha\r\n$40\r\n${sha}\r\n$${keys.length}\r\n${keys}\r\n`,
    evalHead: `$4\r\neval\r\n$${Buffer.byteLength(file.lua)}\r\n${file.lua}\r\n$${keys.length}\r\n${keys}\r\n`,
    loadedOn: new WeakSet(),
  };
  return (...args) => {
    const call = new ScriptCall(client, script, args);
    void client.sendCommand(call);
    return call.promise;
  };
}

interface Corkable {
  cork(): void;
  uncork(): void;
}
const held = new WeakSet<object>();

/**
 * Holds a connection's writes until the event loop's check phase, so that every call made while handling the
 * datagrams of one poll goes out in one write (one system call here, one read in Redis) instead of one each.
 */
function holdWritesForThisTurn(socket: object): void {
  if (held.has(socket) || typeof (socket as Partial<Corkable>).cork !== 'function') return;
  held.add(socket);
  (socket as Corkable).cork();
  setImmediate(() => {
    held.delete(socket);
    (socket as Corkable).uncork();
  });
}
