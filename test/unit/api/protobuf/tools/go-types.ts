// Reads the struct types of a Go program from its runtime type metadata (which reflection and
// encoding/json need, so it survives stripping): for each named struct, its fields' names,
// struct tags and types. Kubernetes' API structs carry `protobuf:"..."` tags, which is all the
// protobuf wire format is generated from. Assumes a non-PIE little-endian ELF64 built by Go 1.21+
// (abi.Type layout: Kind_ at byte 23, Str nameOff at 40, struct PkgPath at 48 and fields at 56).

export interface GoField {
  name: string;
  tag: string;
  embedded: boolean;
  /** "int32", "*bool", "[]string", "map[string]string", "struct:pkg/path.Name", "named:Name" ... */
  type: string;
}

interface Section {
  addr: number;
  off: number;
  size: number;
}

interface GoType {
  kind: number;
  str: string;
  pkg?: string;
  elem?: number;
  key?: number;
  fields?: { name: string; tag: string; embedded: boolean; type: number }[];
}

const kindNames: Record<number, string> = { 1: 'bool', 2: 'int', 5: 'int32', 6: 'int64', 8: 'uint8', 10: 'uint32', 11: 'uint64', 13: 'float32', 14: 'float64', 20: 'interface', 24: 'string' };
const Kind = { array: 17, map: 21, ptr: 22, slice: 23, struct: 25 };

export function readGoStructs(b: Buffer, pkgFilter: (pkg: string) => boolean): Record<string, GoField[]> {
  const sections: Record<string, Section> = {};
  const shoff = Number(b.readBigUInt64LE(0x28));
  const count = b.readUInt16LE(0x3c);
  const strtab = Number(b.readBigUInt64LE(shoff + b.readUInt16LE(0x3e) * 64 + 0x18));
  for (let i = 0; i < count; i++) {
    const h = shoff + i * 64;
    const start = strtab + b.readUInt32LE(h);
    const name = b.toString('latin1', start, b.indexOf(0, start));
    sections[name] = { addr: Number(b.readBigUInt64LE(h + 0x10)), off: Number(b.readBigUInt64LE(h + 0x18)), size: Number(b.readBigUInt64LE(h + 0x20)) };
  }
  const mapped = Object.values(sections).filter((s) => s.addr > 0);
  const fileOffset = (va: number): number => {
    for (const s of mapped) if (va >= s.addr && va < s.addr + s.size) return va - s.addr + s.off;
    throw new Error(`address 0x${va.toString(16)} is in no section`);
  };
  const qword = (va: number): number => Number(b.readBigUInt64LE(fileOffset(va)));
  // Type names are offsets from moduledata.types, which the linker puts at the start of .rodata.
  const typesBase = sections['.rodata'].addr;

  const varint = (p: number): [number, number] => {
    let v = 0;
    for (let n = 0, shift = 0; ; n++, shift += 7) {
      v += (b[p + n] & 0x7f) * 2 ** shift;
      if (!(b[p + n] & 0x80)) return [v, n + 1];
    }
  };
  const nameAt = (va: number): { name: string; tag: string; embedded: boolean } => {
    const p = fileOffset(va);
    const [len, n] = varint(p + 1);
    const name = b.toString('latin1', p + 1 + n, p + 1 + n + len);
    let tag = '';
    if (b[p] & 2) {
      const [tlen, m] = varint(p + 1 + n + len);
      tag = b.toString('utf8', p + 1 + n + len + m, p + 1 + n + len + m + tlen);
    }
    return { name, tag, embedded: (b[p] & 8) !== 0 };
  };

  const types = new Map<number, GoType>();
  const load = (va: number): GoType => {
    const known = types.get(va);
    if (known) return known;
    const p = fileOffset(va);
    const tflag = b[p + 20];
    const kind = b[p + 23] & 0x1f;
    let str = nameAt(typesBase + b.readInt32LE(p + 40)).name;
    if (tflag & 2) str = str.slice(1); // TFlagExtraStar
    const t: GoType = { kind, str };
    types.set(va, t);
    if (kind === Kind.ptr || kind === Kind.slice || kind === Kind.array) t.elem = qword(va + 48);
    if (kind === Kind.map) {
      t.key = qword(va + 48);
      t.elem = qword(va + 56);
    }
    if (kind === Kind.struct) {
      if (tflag & 1) t.pkg = nameAt(typesBase + b.readInt32LE(fileOffset(va + 80))).name; // uncommonType.PkgPath
      const fp = qword(va + 56);
      const n = qword(va + 64);
      t.fields = [];
      for (let i = 0; i < n; i++) t.fields.push({ ...nameAt(qword(fp + i * 24)), type: qword(fp + i * 24 + 8) });
    }
    return t;
  };

  // Every type reachable from the type links table.
  const links = sections['.typelink'];
  const todo: number[] = [];
  for (let i = 0; i < links.size; i += 4) todo.push(typesBase + b.readInt32LE(links.off + i));
  const seen = new Set<number>();
  while (todo.length) {
    const va = todo.pop()!;
    if (seen.has(va)) continue;
    seen.add(va);
    let t: GoType;
    try {
      t = load(va);
    } catch {
      continue;
    }
    for (const next of [t.elem, t.key, ...(t.fields ?? []).map((f) => f.type)]) if (next !== undefined) todo.push(next);
  }

  const describe = (va: number): string => {
    const t = types.get(va);
    if (!t) return '?';
    if (t.kind === Kind.struct) return `struct:${t.pkg ?? ''}.${t.str.split('.').pop()}`;
    if (t.kind === Kind.ptr) return `*${describe(t.elem!)}`;
    if (t.kind === Kind.slice) return t.str.startsWith('[]') ? `[]${describe(t.elem!)}` : `named:${t.str.split('.').pop()}`;
    if (t.kind === Kind.map) return `map[${describe(t.key!)}]${describe(t.elem!)}`;
    return kindNames[t.kind] ?? `kind${t.kind}`;
  };
  const out: Record<string, GoField[]> = {};
  for (const t of types.values()) {
    if (t.kind !== Kind.struct || !t.pkg || !pkgFilter(t.pkg)) continue;
    out[`${t.pkg}.${t.str.split('.').pop()}`] = t.fields!.map((f) => ({ name: f.name, tag: f.tag, embedded: f.embedded, type: describe(f.type) }));
  }
  return out;
}
