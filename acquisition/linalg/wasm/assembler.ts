/**
 * A minimal WebAssembly binary writer: just enough of the format (type, function, memory, export and code
 * sections; LEB128 immediates; the scalar and SIMD opcodes the kernels use) to build our own kernels from
 * TypeScript at load time, with no toolchain and no network. Reference: the WebAssembly core specification 2.0,
 * chapter 5 (binary format) and the fixed-width SIMD proposal's opcode table.
 */

/** Value types: i32, f64, v128. */
export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

/** Unsigned LEB128 bytes of a non-negative integer. */
export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 bytes of a 32-bit integer. */
export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Instruction builders; each returns the bytes of one instruction. */
export const op = {
  localGet: (i: number) => [0x20, ...unsignedLeb(i)],
  localSet: (i: number) => [0x21, ...unsignedLeb(i)],
  localTee: (i: number) => [0x22, ...unsignedLeb(i)],
  i32Const: (v: number) => [0x41, ...signedLeb(v)],
  f64Const: (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  i32Add: [0x6a], i32Sub: [0x6b], i32Mul: [0x6c], i32And: [0x71], i32Shl: [0x74], i32ShrS: [0x75], i32DivS: [0x6d],
  i32LtS: [0x48], i32GtS: [0x4a], i32LeS: [0x4c], i32GeS: [0x4e], i32Eqz: [0x45], i32Ne: [0x47],
  select: [0x1b],
  f64Add: [0xa0], f64Sub: [0xa1], f64Mul: [0xa2],
  /** f64.load with natural alignment and a constant byte offset. */
  f64Load: (offset = 0) => [0x2b, 3, ...unsignedLeb(offset)],
  f64Store: (offset = 0) => [0x39, 3, ...unsignedLeb(offset)],
  /** v128.load with alignment hint 8 bytes (rows of doubles are 8-byte aligned, not 16). */
  v128Load: (offset = 0) => [0xfd, ...unsignedLeb(0x00), 3, ...unsignedLeb(offset)],
  /** v128.load64_splat: one double from memory into both lanes. */
  v128Load64Splat: (offset = 0) => [0xfd, ...unsignedLeb(0x0a), 3, ...unsignedLeb(offset)],
  f64x2Splat: [0xfd, ...unsignedLeb(0x14)],
  f64x2ExtractLane: (lane: number) => [0xfd, ...unsignedLeb(0x21), lane],
  f64x2Add: [0xfd, ...unsignedLeb(0xf0)],
  f64x2Sub: [0xfd, ...unsignedLeb(0xf1)],
  f64x2Mul: [0xfd, ...unsignedLeb(0xf2)],
  /** f64x2.pmax a < b ? b : a (one machine instruction; equals f64x2.max unless b is NaN or the two are ±0). */
  f64x2Pmax: [0xfd, ...unsignedLeb(0xf7)],
  /** f64x2.relaxed_madd a·b + c (relaxed SIMD: fused where the hardware has FMA). */
  f64x2RelaxedMadd: [0xfd, ...unsignedLeb(0x107)],
  f64x2Sqrt: [0xfd, ...unsignedLeb(0xef)],
  i64x2Shl: [0xfd, ...unsignedLeb(0xcb)],
  i64x2Add: [0xfd, ...unsignedLeb(0xce)],
  v128Store: (offset = 0) => [0xfd, ...unsignedLeb(0x0b), 3, ...unsignedLeb(offset)],
  block: [0x02, 0x40], loop: [0x03, 0x40], if: [0x04, 0x40], else: [0x05], end: [0x0b],
  br: (depth: number) => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
};

/** One exported function: its signature, extra locals (grouped by type) and body instructions. */
export interface FunctionSpec {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: number[][];
}

/** A module with one exported memory ("memory", min pages) and the given exported functions. */
export function assembleModule(functions: FunctionSpec[], minimumPages: number): Uint8Array {
  const types = section(1, vector(functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))])));
  const funcs = section(3, vector(functions.map((_, i) => unsignedLeb(i))));
  const memory = section(5, vector([[0x00, ...unsignedLeb(minimumPages)]]));
  const exports = section(7, vector([
    [...name('memory'), 0x02, 0x00],
    ...functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)]),
  ]));
  const code = section(10, vector(functions.map((f) => {
    const body = [...localDeclarations(f.locals), ...f.body.flat(), ...op.end];
    return [...unsignedLeb(body.length), ...body];
  })));
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...memory, ...exports, ...code]);
}

/** Run-length encoded local declarations. */
function localDeclarations(locals: number[]): number[] {
  const groups: [number, number][] = [];
  for (const t of locals) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  return vector(groups.map(([count, t]) => [...unsignedLeb(count), t]));
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...unsignedLeb(bytes.length), ...bytes];
}
