// Name compression (RFC 1035 4.1.4) for the messages this server builds. dns-packet writes every
// name in full; a headless service's answer repeats the same owner name once per endpoint, so
// compressed it is under half the size and a 512-byte datagram carries about 28 addresses instead
// of ~11 (clients without TCP fallback, such as older musl, see only what fits).
// Only the question and owner names are compressed; record data is copied as it is (SRV targets
// must not be compressed, RFC 2782), so record lengths never change.

const POINTER = 0xc000;
/** Offsets beyond 14 bits cannot be pointed at. */
const MAX_OFFSET = 0x3fff;

export function compressNames(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let written = 0;
  const write = (bytes: Buffer): void => {
    parts.push(bytes);
    written += bytes.length;
  };
  /** Where each name suffix already written starts, keyed case-insensitively. */
  const suffixes = new Map<string, number>();
  let at = 12;
  write(message.subarray(0, 12));

  const copyName = (): void => {
    const labels: Buffer[] = [];
    while (message[at] !== 0) {
      const length = message[at];
      if (length >= 0x40 || at + 1 + length > message.length) throw new Error('not an uncompressed name');
      labels.push(message.subarray(at, at + 1 + length));
      at += 1 + length;
    }
    at += 1;
    for (let i = 0; i < labels.length; i++) {
      const key = asciiLower(Buffer.concat(labels.slice(i)).toString('latin1'));
      const offset = suffixes.get(key);
      if (offset !== undefined) {
        const pointer = Buffer.alloc(2);
        pointer.writeUInt16BE(POINTER | offset);
        write(pointer);
        return;
      }
      if (written <= MAX_OFFSET) suffixes.set(key, written);
      write(labels[i]);
    }
    write(Buffer.from([0]));
  };

  const questions = message.readUInt16BE(4);
  const records = message.readUInt16BE(6) + message.readUInt16BE(8) + message.readUInt16BE(10);
  for (let q = 0; q < questions; q++) {
    copyName();
    write(message.subarray(at, at + 4)); // type, class
    at += 4;
  }
  for (let r = 0; r < records; r++) {
    copyName();
    const end = at + 10 + message.readUInt16BE(at + 8); // type, class, ttl, rdlength, rdata
    write(message.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts, written);
}

/** DNS case-insensitivity covers ASCII letters only (RFC 4343). */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
