// Minimal types for the npm `radius` package; only radius/codec.ts may import it.
declare module 'radius' {
  interface DecodedPacket {
    code: string;
    identifier: number;
    length: number;
    authenticator: Buffer;
    attributes: Record<string, unknown>;
    raw_attributes: Array<[number, Buffer]>;
  }
  const radius: {
    add_dictionary(file: string): void;
    load_dictionaries(): void;
    decode(args: { packet: Buffer; secret?: string; no_secret?: boolean }): DecodedPacket;
  };
  export = radius;
}
