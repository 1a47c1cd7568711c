/**
 * The small WebAssembly assembler the numeric kernels share: opcodes, LEB128 sizes and a
 * module of functions that take i32 arguments and read one imported memory (`env.memory`).
 * The kernels write their function bodies as bytes with these (no toolchain, no dependency).
 */

/** The part of the WebAssembly JavaScript API used here (this project's TypeScript libraries do not declare it). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
}
/** A compiled module (opaque). */
export interface WasmModule {
  readonly compiled: unique symbol;
}

/** The runtime's WebAssembly object, or undefined where it has none. */
export const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes of one WebAssembly memory page. */
export const PAGE = 65536;

/** WebAssembly opcodes used by the kernels. */
export const OP = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Add: 0x6a,
  i32Shl: 0x74,
  i32Mul: 0x6c,
  i32Load: 0x28,
  i32And: 0x71,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  f32Ne: 0x5c,
  f32Add: 0x92,
  f32Load: 0x2a,
  f32Store: 0x38,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  empty: 0x40,
  simd: 0xfd,
} as const;

/** Value types of local declarations. */
export const TYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/** SIMD instructions (prefix 0xfd included), memory arguments aligned to 16 bytes, offset 0. */
export const SIMD = {
  load: [OP.simd, 0x00, 0x04, 0x00],
  store: [OP.simd, 0x0b, 0x04, 0x00],
  zero: [OP.simd, 0x0c, ...new Array<number>(16).fill(0)],
  f32x4Splat: [OP.simd, 0x13],
  f32x4Add: [OP.simd, 0xe4, 0x01],
  f32x4Mul: [OP.simd, 0xe6, 0x01],
  f64x2Add: [OP.simd, 0xf0, 0x01],
  f64x2PromoteLow: [OP.simd, 0x5f],
} as const;

/** `v128.load` at `offset` bytes past the address (16-byte alignment hint). */
export function loadAt(offset: number): number[] {
  return [OP.simd, 0x00, 0x04, ...leb(offset)];
}
/** `v128.store` at `offset` bytes past the address. */
export function storeAt(offset: number): number[] {
  return [OP.simd, 0x0b, 0x04, ...leb(offset)];
}
/** `v128.load64_zero` at `offset`: 8 bytes into the low half, zeros above (two float32 to promote). */
export function load64ZeroAt(offset: number): number[] {
  return [OP.simd, 0x5d, 0x03, ...leb(offset)];
}

/** An unsigned LEB128 number. */
function leb(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** `local.get local`. */
export function get(local: number): number[] {
  return [OP.localGet, local];
}
/** `local.set local`. */
export function set(local: number): number[] {
  return [OP.localSet, local];
}

/** Prefixes `bytes` with its length (LEB128). */
export function sized(bytes: readonly number[]): number[] {
  const length: number[] = [];
  let n = bytes.length;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    length.push(byte);
  } while (n !== 0);
  return [...length, ...bytes];
}

function text(s: string): number[] {
  return sized([...Buffer.from(s, "utf8")]);
}

/** One exported function: `params` i32 parameters, no result; `body` starts with its local declarations. */
export interface WasmFunction {
  name: string;
  params: number;
  body: number[];
}

/** The bytes of a module that imports env.memory and exports `functions`. */
export function moduleBytes(functions: readonly WasmFunction[]): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...sized(content)];
  const types = functions.flatMap((f) => [0x60, f.params, ...new Array<number>(f.params).fill(TYPE.i32), 0]);
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [functions.length, ...types]),
    ...section(2, [1, ...text("env"), ...text("memory"), 0x02, 0x00, 0x01]),
    ...section(3, [functions.length, ...functions.map((_, i) => i)]),
    ...section(7, [functions.length, ...functions.flatMap((f, i) => [...text(f.name), 0x00, i])]),
    ...section(10, [functions.length, ...functions.flatMap((f) => sized(f.body))]),
  ]);
}

/** `bytes` compiled, or null where this runtime has no WebAssembly (or no SIMD: the module fails to compile). */
export function compileModule(bytes: Uint8Array): WasmModule | null {
  const api = wasmApi();
  try {
    return api === undefined ? null : new api.Module(bytes);
  } catch {
    return null;
  }
}
