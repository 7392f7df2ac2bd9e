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
  interface EncodeArgs {
    code: string;
    identifier?: number;
    authenticator?: Buffer;
    attributes?: unknown[];
    secret: string;
    add_message_authenticator?: boolean;
  }
  const radius: {
    add_dictionary(file: string): void;
    load_dictionaries(): void;
    decode(args: { packet: Buffer; secret?: string; no_secret?: boolean }): DecodedPacket;
    encode(args: EncodeArgs): Buffer;
    attr_name_to_id(name: string, vendorId?: number): string | undefined;
    /** Lays attributes out into `packet` from offset 0; returns the bytes written. Vendor -1 is the top level. */
    encode_attributes(packet: Buffer, attributes: unknown[], vendor: number): number;
  };
  export = radius;
}
