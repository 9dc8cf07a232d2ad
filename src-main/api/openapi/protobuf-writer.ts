// A minimal protocol buffers wire-format writer, enough to encode the gnostic OpenAPI v2
// document that kubectl <= 1.28 reads. protobufjs is only a dev dependency (tests decode with
// it), so the server carries its own encoder.
//
// Nested messages are written into a child writer and then appended, length first. Chunks are
// kept as a list and joined once at the end, so a deep document is not copied at every level.

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  /** Total bytes written so far. */
  length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.length += this.scratch.length;
    this.scratch = [];
  }

  private varint(value: number): void {
    // Values here are field tags, lengths and counts: non-negative and below 2^53.
    let v = value;
    while (v >= 0x80) {
      this.scratch.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.scratch.push(v);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.flushScratch();
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** A string field; proto3 leaves empty strings out. */
  string(field: number, value: string | undefined): this {
    if (value === undefined || value === '') return this;
    this.bytesField(field, Buffer.from(value, 'utf8'));
    return this;
  }

  /** A repeated string field. */
  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) {
      this.tag(field, WIRE_LENGTH_DELIMITED);
      const bytes = Buffer.from(v, 'utf8');
      this.varint(bytes.length);
      this.flushScratch();
      this.chunks.push(bytes);
      this.length += bytes.length;
    }
    return this;
  }

  /** A bool field; proto3 leaves false out. */
  bool(field: number, value: boolean | undefined): this {
    if (!value) return this;
    this.tag(field, WIRE_VARINT);
    this.varint(1);
    return this;
  }

  /** A bool member of a oneof: written even when false, since oneof members have presence. */
  oneofBool(field: number, value: boolean): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value ? 1 : 0);
    return this;
  }

  /** An int64 field holding a non-negative integer; proto3 leaves 0 out. */
  uint(field: number, value: number | undefined): this {
    if (!value || value < 0 || !Number.isInteger(value)) return this;
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A double field; proto3 leaves 0 out. */
  double(field: number, value: number | undefined): this {
    if (!value) return this;
    this.tag(field, 1);
    this.flushScratch();
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleLE(value, 0);
    this.chunks.push(bytes);
    this.length += 8;
    return this;
  }

  /**
   * An embedded message field. The message is written by `write` into a fresh writer; an empty
   * message is still emitted (presence matters for oneof members and sub-messages).
   */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const child = new ProtoWriter();
    write(child);
    child.flushScratch();
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(child.length);
    this.flushScratch();
    for (const c of child.chunks) this.chunks.push(c);
    this.length += child.length;
    return this;
  }

  finish(): Buffer {
    this.flushScratch();
    return Buffer.concat(this.chunks, this.length);
  }
}
