/**
 * A mergeable distinct-count sketch for `profiles` (distinct visitors per group and slot), so a
 * range's profiles are one union of its slots' sketches rather than a read of per-visitor facts.
 *
 * - Exact (sparse) mode: the set of the members' 64-bit hashes, up to {@link SPARSE_LIMIT}
 *   members. Below that the count is exact (barring a 64-bit hash collision: about 3 in 10^12
 *   at 10,000 members).
 * - Dense mode, past that: HyperLogLog with precision 14 (16,384 registers; standard error
 *   1.04 / √16384 ≈ 0.81 %), read with Ertl's improved estimator (O. Ertl, "New cardinality
 *   estimation algorithms for HyperLogLog sketches", 2017, arXiv:1702.01284, algorithm 6). It is
 *   unbiased from a few to billions of members without HLL++'s empirical bias tables or
 *   linear-counting switch, so the estimate has no seam to hide in. It needs the registers to
 *   hold ranks over all 64 - 14 = 50 remaining hash bits, which a 64-bit hash gives.
 *
 * No dependency: the HyperLogLog registers are the small part; the exact mode, the estimator
 * and a versioned byte format kept in D1 would be this code's anyway (about 250 lines in all).
 *
 * Module syntax is kept to what Node's type stripping runs, so `pnpm bench` imports this file
 * as it is.
 */

/** Members kept exactly; the sketch turns into HyperLogLog past this many. */
export const SPARSE_LIMIT = 10_000;
/** HyperLogLog precision: 2^14 registers. */
export const PRECISION = 14;

const REGISTERS = 1 << PRECISION;
/** Hash bits left for the rank once the register index is taken. */
const Q = 64 - PRECISION;
/** Bits of the high hash half below the register index. */
const HIGH_REST_BITS = 32 - PRECISION;
const HIGH_REST_MASK = (1 << HIGH_REST_BITS) - 1;

/** `toBytes`' first byte. A future layout gets a new number; old rows stay readable. */
const FORMAT_VERSION = 1;
const MODE_SPARSE = 0;
const MODE_DENSE = 1;
const HEADER_BYTES = 2;
/** Six bits hold a rank (at most Q + 1 = 51): four registers in three bytes. */
const DENSE_BYTES = (REGISTERS * 6) / 8;

/** A `fromBytes` input that is not a sketch this code wrote. */
export class SketchFormatError extends Error {
  override name = 'SketchFormatError';
}

// ---------------------------------------------------------------------------------------------
// Hashing: MurmurHash3_x86_128 (Austin Appleby, public domain), seed 0, over the id's UTF-8
// bytes, first 64 bits. A published function with 32-bit arithmetic only (Math.imul), so no
// BigInt on the hot path, and reference outputs to test against.

const encoder = new TextEncoder();
let bytes = new Uint8Array(64);
/** The last hash, low half then high half: written in place so an add allocates nothing. */
const hashOut = new Uint32Array(2);

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** Hashes `id` into `hashOut`: [low 32 bits, high 32 bits] of the 64-bit hash. */
function murmur(id: string): void {
  if (bytes.length < id.length * 3) bytes = new Uint8Array(id.length * 3);
  const len = encoder.encodeInto(id, bytes).written;
  const word = (i: number): number => bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const blocksEnd = len - (len % 16);
  for (let i = 0; i < blocksEnd; i += 16) {
    h1 ^= Math.imul(rotl(Math.imul(word(i), C1), 15), C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(word(i + 4), C2), 16), C3);
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= Math.imul(rotl(Math.imul(word(i + 8), C3), 17), C4);
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    h4 ^= Math.imul(rotl(Math.imul(word(i + 12), C4), 18), C1);
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail: up to 15 bytes, little-endian into k1..k4 (the reference's fall-through switch).
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  for (let i = blocksEnd; i < len; i++) {
    const shifted = bytes[i]! << (8 * ((i - blocksEnd) & 3));
    const lane = (i - blocksEnd) >> 2;
    if (lane === 0) k1 |= shifted;
    else if (lane === 1) k2 |= shifted;
    else if (lane === 2) k3 |= shifted;
    else k4 |= shifted;
  }
  const rest = len - blocksEnd;
  if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
  if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
  if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
  if (rest > 0) h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  hashOut[0] = h1;
  hashOut[1] = h2;
}

const toBigInt = (low: number, high: number): bigint => (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);

/**
 * The 64-bit hash the sketch counts by: the first 8 bytes of MurmurHash3_x86_128 (seed 0) of
 * the UTF-8 bytes of `id`, read as a little-endian unsigned integer. Deterministic everywhere.
 *
 * @example hash64('hello') // 0xdb91def72b2444a0n
 */
export function hash64(id: string): bigint {
  murmur(id);
  return toBigInt(hashOut[0]!, hashOut[1]!);
}

// ---------------------------------------------------------------------------------------------
// Estimation (Ertl 2017, algorithm 6).

/** σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k-1): the correction for registers still at 0. */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z !== previous);
  return z;
}

/** τ(x) = (1 - x - Σ_{k≥1} (1 - x^(2^-k))² 2^-k) / 3: the correction for saturated registers. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (z !== previous);
  return z / 3;
}

function ertlEstimate(registers: Uint8Array): number {
  const counts = new Array<number>(Q + 2).fill(0);
  for (const r of registers) counts[r]!++;
  let z = REGISTERS * tau(1 - counts[Q + 1]! / REGISTERS);
  for (let k = Q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += REGISTERS * sigma(counts[0]! / REGISTERS);
  return (REGISTERS * REGISTERS) / (2 * Math.LN2 * z);
}

// ---------------------------------------------------------------------------------------------

/**
 * Distinct members of a group in a slot (or of a union of them). Exact up to
 * {@link SPARSE_LIMIT} members, HyperLogLog past it.
 *
 * @example
 * const a = new Sketch();
 * a.add('k3x9q2m8v7w1z0ab');
 * const b = Sketch.fromBytes(storedBlob);
 * a.merge(b).estimate(); // distinct visitors of both
 */
export class Sketch {
  /** The members' hashes while exact; null once dense. */
  private sparse: Set<bigint> | null = new Set();
  /** HyperLogLog ranks once dense; null while exact. */
  private registers: Uint8Array | null = null;

  /** Whether `estimate()` is an exact count. */
  get exact(): boolean {
    return this.sparse !== null;
  }

  /** Counts `id` (a visitor id) once, however often it is added. */
  add(id: string): void {
    murmur(id);
    if (this.registers !== null) this.raise(hashOut[0]!, hashOut[1]!);
    else this.addSparse(toBigInt(hashOut[0]!, hashOut[1]!));
  }

  /** Counts a member by its {@link hash64}. */
  addHash(hash: bigint): void {
    if (this.registers !== null) this.raiseBig(hash);
    else this.addSparse(hash);
  }

  /**
   * Makes this sketch the union of itself and `other` (which is left as it was) and returns it.
   * Two exact sketches stay exact while the union has at most {@link SPARSE_LIMIT} members.
   */
  merge(other: Sketch): this {
    if (other.sparse !== null) {
      for (const hash of other.sparse) this.addHash(hash);
      return this;
    }
    this.maxRegisters(other.registers!);
    return this;
  }

  /** The number of distinct members: exact while {@link exact}, else within about 0.8 % (one σ). */
  estimate(): number {
    return this.sparse !== null ? this.sparse.size : Math.round(ertlEstimate(this.registers!));
  }

  /**
   * The sketch as bytes for a D1 BLOB: `[version, mode]`, then either the sorted hashes
   * (8 bytes each, big-endian: at most 80 KB) or the 16,384 six-bit registers (12,288 bytes).
   * Equal sketches give equal bytes.
   */
  toBytes(): Uint8Array {
    if (this.sparse === null) {
      const out = new Uint8Array(HEADER_BYTES + DENSE_BYTES);
      out.set([FORMAT_VERSION, MODE_DENSE]);
      const r = this.registers!;
      for (let i = 0, o = HEADER_BYTES; i < REGISTERS; i += 4, o += 3) {
        const packed = (r[i]! << 18) | (r[i + 1]! << 12) | (r[i + 2]! << 6) | r[i + 3]!;
        out[o] = packed >>> 16;
        out[o + 1] = (packed >>> 8) & 0xff;
        out[o + 2] = packed & 0xff;
      }
      return out;
    }
    const hashes = [...this.sparse].sort((a, b) => (a < b ? -1 : 1));
    const out = new Uint8Array(HEADER_BYTES + hashes.length * 8);
    out.set([FORMAT_VERSION, MODE_SPARSE]);
    const view = new DataView(out.buffer);
    for (const [i, hash] of hashes.entries()) view.setBigUint64(HEADER_BYTES + i * 8, hash);
    return out;
  }

  /**
   * Reads what {@link toBytes} wrote, as bytes or as the array of numbers D1 hands a BLOB back
   * as. Anything else (another version, a truncated blob, hashes out of order or repeated, a
   * rank no hash can give, a number that is not a byte) throws {@link SketchFormatError}.
   *
   * @example Sketch.fromBytes(new Sketch().toBytes()).estimate() // 0
   */
  static fromBytes(blob: Uint8Array | ArrayBuffer | readonly number[]): Sketch {
    return new Sketch().mergeBytes(blob);
  }

  /**
   * `merge(Sketch.fromBytes(blob))` without building the other sketch: what a range's query
   * does for each of its slots, so it skips a set of BigInts per slot. A blob that is not a
   * sketch throws {@link SketchFormatError} (see {@link fromBytes}) and changes nothing.
   *
   * @example
   * const profiles = new Sketch();
   * for (const row of rows) profiles.mergeBytes(row.sketch);
   * profiles.estimate();
   */
  mergeBytes(blob: Uint8Array | ArrayBuffer | readonly number[]): this {
    const input = toUint8Array(blob);
    if (input.length < HEADER_BYTES) throw new SketchFormatError(`sketch: ${input.length} bytes, no header`);
    if (input[0] !== FORMAT_VERSION) throw new SketchFormatError(`sketch: unknown version ${input[0]}`);
    if (input[1] === MODE_SPARSE) return this.mergeSparseBytes(input);
    if (input[1] === MODE_DENSE) return this.mergeDenseBytes(input);
    throw new SketchFormatError(`sketch: unknown mode ${input[1]}`);
  }

  private mergeSparseBytes(input: Uint8Array): this {
    const size = (input.length - HEADER_BYTES) / 8;
    if (!Number.isInteger(size) || size > SPARSE_LIMIT) {
      throw new SketchFormatError(`sketch: ${input.length} bytes is not an exact sketch`);
    }
    // Each hash as two big-endian halves: no BigInt unless this sketch is still exact.
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const high = (i: number): number => view.getUint32(HEADER_BYTES + i * 8);
    const low = (i: number): number => view.getUint32(HEADER_BYTES + i * 8 + 4);
    // toBytes writes the hashes strictly increasing; anything else was not written by it. All
    // are checked before any is counted, so a bad blob changes nothing.
    for (let i = 1; i < size; i++) {
      if (high(i) < high(i - 1) || (high(i) === high(i - 1) && low(i) <= low(i - 1))) {
        throw new SketchFormatError('sketch: hashes out of order or repeated');
      }
    }
    for (let i = 0; i < size; i++) {
      if (this.registers !== null) this.raise(low(i), high(i));
      else this.addSparse(toBigInt(low(i), high(i)));
    }
    return this;
  }

  private mergeDenseBytes(input: Uint8Array): this {
    if (input.length !== HEADER_BYTES + DENSE_BYTES) {
      throw new SketchFormatError(`sketch: ${input.length} bytes is not a dense sketch`);
    }
    const theirs = new Uint8Array(REGISTERS);
    for (let i = 0, o = HEADER_BYTES; i < REGISTERS; i += 4, o += 3) {
      const packed = (input[o]! << 16) | (input[o + 1]! << 8) | input[o + 2]!;
      theirs[i] = packed >>> 18;
      theirs[i + 1] = (packed >>> 12) & 63;
      theirs[i + 2] = (packed >>> 6) & 63;
      theirs[i + 3] = packed & 63;
    }
    if (theirs.some((r) => r > Q + 1)) throw new SketchFormatError('sketch: register out of range');
    this.maxRegisters(theirs);
    return this;
  }

  /** Dense from now on, each register the larger of its own and `theirs`. */
  private maxRegisters(theirs: Uint8Array): void {
    const registers = this.densify();
    for (let i = 0; i < REGISTERS; i++) if (theirs[i]! > registers[i]!) registers[i] = theirs[i]!;
  }

  private addSparse(hash: bigint): void {
    const sparse = this.sparse!;
    sparse.add(hash);
    if (sparse.size > SPARSE_LIMIT) this.densify();
  }

  /** Switches to HyperLogLog (once, for good) and returns the registers. */
  private densify(): Uint8Array {
    if (this.registers !== null) return this.registers;
    this.registers = new Uint8Array(REGISTERS);
    for (const hash of this.sparse!) this.raiseBig(hash);
    this.sparse = null;
    return this.registers;
  }

  private raiseBig(hash: bigint): void {
    this.raise(Number(hash & 0xffffffffn), Number(hash >> 32n));
  }

  /**
   * The register is the top 14 bits of the hash; its rank is 1 + the leading zeros of the 50
   * bits below them (51 when all are zero), and the register keeps the largest rank seen.
   */
  private raise(low: number, high: number): void {
    const index = high >>> HIGH_REST_BITS;
    const rest = high & HIGH_REST_MASK;
    const rank =
      rest !== 0 ? Math.clz32(rest) - PRECISION + 1 : low !== 0 ? HIGH_REST_BITS + Math.clz32(low) + 1 : Q + 1;
    const registers = this.registers!;
    if (rank > registers[index]!) registers[index] = rank;
  }
}

function toUint8Array(blob: Uint8Array | ArrayBuffer | readonly number[]): Uint8Array {
  if (blob instanceof Uint8Array) return blob;
  if (blob instanceof ArrayBuffer) return new Uint8Array(blob);
  const bytes = new Uint8Array(blob.length);
  for (let i = 0; i < blob.length; i++) {
    const n = blob[i]!;
    // Uint8Array.from would wrap 256 to 0 and take 1.5 as 1: a blob of such numbers is not ours.
    if ((n & 0xff) !== n) throw new SketchFormatError('sketch: not an array of bytes');
    bytes[i] = n;
  }
  return bytes;
}

/** What {@link measureSketchError} found. */
export interface SketchErrorMeasure {
  /** Distinct ids added. */
  distinct: number;
  estimate: number;
  /** (estimate - distinct) / distinct. */
  relativeError: number;
  /** Time to add the ids and estimate, in ms. */
  ms: number;
}

/**
 * Adds `distinct` different visitor-shaped ids (16 base-36 characters: a counter, then the
 * seed) to a sketch and compares its estimate with the truth: the sketch's error as the bench
 * reports it. Ids differing only in a counter are a harder input for the hash than random ones.
 *
 * @example measureSketchError(100_000, 1) // { distinct: 100000, estimate: 99612, relativeError: -0.0039, ms: 61 }
 */
export function measureSketchError(distinct: number, seed: number): SketchErrorMeasure {
  const suffix = (seed >>> 0).toString(36).padStart(8, '0');
  const start = performance.now();
  const sketch = new Sketch();
  for (let i = 0; i < distinct; i++) sketch.add(i.toString(36).padStart(8, '0') + suffix);
  const estimate = sketch.estimate();
  return { distinct, estimate, relativeError: (estimate - distinct) / distinct, ms: performance.now() - start };
}
