// The watch stream is a sequence of JSON objects ({"type":..., "object":...}), one per event.
// kube-apiserver ends each with a newline, but the framing is really "concatenated JSON" and TCP
// may split an event anywhere — mid-line, mid-string, even inside a multi-byte UTF-8 character.
// The decoder therefore tracks JSON structure (depth, strings, escapes) rather than trusting
// newlines, and decodes bytes with a StringDecoder that holds back partial characters. A whole
// line that parses as one value is taken without that character-by-character scan: a raw
// newline cannot occur inside a JSON string, so such a line is exactly one event.
import { StringDecoder } from 'node:string_decoder';

export class JsonStreamDecoder {
  private readonly utf8 = new StringDecoder('utf8');
  private buf = '';
  /** Scan position in buf, so a long object arriving in many chunks is scanned once. */
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  /** Feeds bytes; returns every complete value they finish, in order. Throws on invalid JSON. */
  write(chunk: Buffer | string): unknown[] {
    this.buf += typeof chunk === 'string' ? chunk : this.utf8.write(chunk);
    const out: unknown[] = [];
    for (; this.pos < this.buf.length; this.pos++) {
      const c = this.buf.charCodeAt(this.pos);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (this.depth === 0 && (c === 0x7b /* { */ || c === 0x5b /* [ */)) {
        const value = this.wholeLine();
        if (value !== undefined) {
          out.push(value);
          continue;
        }
      }
      if (c === 0x22) {
        this.inString = true;
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.depth === 0) this.start = this.pos;
        this.depth++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.depth--;
        if (this.depth < 0) throw new SyntaxError('unbalanced JSON in watch stream');
        if (this.depth === 0) {
          out.push(JSON.parse(this.buf.slice(this.start, this.pos + 1)));
          this.buf = this.buf.slice(this.pos + 1);
          this.pos = -1; // the loop's ++ makes it 0
          this.start = -1;
        }
      } else if (this.depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw new SyntaxError(`unexpected ${JSON.stringify(this.buf[this.pos])} between watch events`);
      }
    }
    if (this.depth === 0) {
      // only whitespace is left: drop it so the buffer does not grow on keep-alive newlines
      this.buf = '';
      this.pos = 0;
    }
    return out;
  }

  /** The value that the line starting at pos holds, consumed; undefined when it is not one whole value. */
  private wholeLine(): unknown {
    const end = this.buf.indexOf('\n', this.pos);
    if (end < 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(this.buf.slice(this.pos, end));
    } catch {
      return undefined;
    }
    this.buf = this.buf.slice(end + 1);
    this.pos = -1; // the loop's ++ makes it 0
    return value;
  }

  /** True when bytes of an unfinished value are buffered (the stream was cut mid-event). */
  get pending(): boolean {
    return this.depth > 0 || this.inString;
  }
}
