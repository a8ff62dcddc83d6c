import { describe, expect, it } from 'vitest';
import { hash64, measureSketchError, Sketch, SketchFormatError, SPARSE_LIMIT } from './sketch.js';

const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `visitor${(from + i).toString(36).padStart(9, '0')}`);

function sketchOf(members: string[]): Sketch {
  const sketch = new Sketch();
  for (const id of members) sketch.add(id);
  return sketch;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('hash64', () => {
  it('is MurmurHash3_x86_128 of the UTF-8 bytes, first 64 bits (outputs of the reference C code)', () => {
    // [input, h1, h2] from aappleby/smhasher's MurmurHash3_x86_128, seed 0: every tail length
    // class, one and two blocks, two- and four-byte UTF-8.
    const vectors: [string, number, number][] = [
      ['', 0x00000000, 0x00000000],
      ['a', 0xa794933c, 0x5556b01b],
      ['hello', 0x2b2444a0, 0xdb91def7],
      ['abcdefghijklmno', 0xee6d1d69, 0x4a1ad5ae],
      ['0123456789abcdef', 0xfb7d4409, 0x36aed30a],
      ['0123456789abcdefg', 0x7f1f9836, 0x516b3876],
      ['k3x9q2m8v7w1z0ab', 0x7332ed59, 0x8527f8fd],
      ['The quick brown fox jumps over the lazy dog', 0x2f1583c3, 0xecee2c67],
      ['café', 0x2108a8b4, 0xa390b8f6],
      ['😀 emoji', 0x3cf05486, 0xdd8bc701],
    ];
    for (const [input, h1, h2] of vectors) {
      expect(hash64(input), input).toBe((BigInt(h2) << 32n) | BigInt(h1));
    }
  });

  it('spreads sequential ids evenly over the registers', () => {
    // 2^16 ids into 16 buckets by the top 4 bits (what picks a register): each near 4,096.
    const buckets = new Array<number>(16).fill(0);
    for (const id of ids(0, 65_536)) buckets[Number(hash64(id) >> 60n)]!++;
    for (const count of buckets) expect(Math.abs(count - 4096)).toBeLessThan(4 * 64);
  });
});

describe('Sketch: exact up to 10,000 members', () => {
  it('counts exactly, duplicates once', () => {
    expect(new Sketch().estimate()).toBe(0);
    for (const n of [1, 2, 100, 9_999, SPARSE_LIMIT]) {
      const sketch = sketchOf([...ids(0, n), ...ids(0, Math.min(n, 500))]);
      expect(sketch.exact).toBe(true);
      expect(sketch.estimate()).toBe(n);
    }
  });

  it('turns into HyperLogLog past 10,000 members', () => {
    const sketch = sketchOf(ids(0, SPARSE_LIMIT + 1));
    expect(sketch.exact).toBe(false);
    expect(Math.abs(sketch.estimate() / (SPARSE_LIMIT + 1) - 1)).toBeLessThan(0.02);
  });

  it('merges overlapping exact sets exactly while the union stays within 10,000', () => {
    const a = sketchOf(ids(0, 6_000));
    const b = sketchOf(ids(3_000, 9_000));
    const union = sketchOf(ids(0, 9_000));
    expect(a.merge(b).estimate()).toBe(9_000);
    expect(a.exact).toBe(true);
    expect(hex(a.toBytes())).toBe(hex(union.toBytes()));
    // The argument is left as it was.
    expect(b.estimate()).toBe(6_000);
    // A union of exactly 10,000 is still exact; one more is not.
    expect(
      sketchOf(ids(0, 6_000))
        .merge(sketchOf(ids(2_000, 10_000)))
        .estimate(),
    ).toBe(10_000);
    const over = sketchOf(ids(0, 6_000)).merge(sketchOf(ids(2_000, 10_001)));
    expect(over.exact).toBe(false);
  });

  it('merges in any order and grouping to the same sketch, exact or not', () => {
    for (const size of [3_000, 40_000]) {
      const parts = [ids(0, size / 2), ids(size / 4, (size * 3) / 4), ids(size / 2, size)].map(sketchOf);
      const ab = sketchOf(ids(0, size / 2))
        .merge(parts[1]!)
        .merge(parts[2]!);
      const cb = sketchOf(ids(size / 2, size))
        .merge(parts[1]!)
        .merge(parts[0]!);
      expect(hex(ab.toBytes())).toBe(hex(cb.toBytes()));
      expect(hex(ab.toBytes())).toBe(hex(sketchOf(ids(0, size)).toBytes()));
    }
  });

  it('merges 48 half-hour slots of an overlapping crowd into the sketch of the whole day', () => {
    // Visitors come back across slots: slot s sees ids [s * 1000, s * 1000 + 3000).
    const slots = Array.from({ length: 48 }, (_, s) => sketchOf(ids(s * 1_000, s * 1_000 + 3_000)));
    const day = new Sketch();
    for (const slot of slots) day.merge(slot);
    expect(slots.every((s) => s.exact)).toBe(true);
    expect(hex(day.toBytes())).toBe(hex(sketchOf(ids(0, 50_000)).toBytes()));
    expect(Math.abs(day.estimate() / 50_000 - 1)).toBeLessThan(0.02);
  });
});

describe('Sketch: HyperLogLog error', () => {
  it('stays within 2 % at 10^5 and 10^6 distinct ids (seed 1), 10^6 adds in a few seconds', () => {
    for (const n of [100_000, 1_000_000]) {
      const measure = measureSketchError(n, 1);
      console.log(
        `sketch: ${n} distinct → ${measure.estimate} (${(measure.relativeError * 100).toFixed(2)} %) in ${measure.ms.toFixed(0)} ms`,
      );
      expect(Math.abs(measure.relativeError)).toBeLessThanOrEqual(0.02);
    }
  });

  it('stays unbiased across seeds (mean error of 20 sketches of 20,000 within 0.5 %)', () => {
    let sum = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { relativeError } = measureSketchError(20_000, seed);
      expect(Math.abs(relativeError)).toBeLessThanOrEqual(0.04);
      sum += relativeError;
    }
    expect(Math.abs(sum / 20)).toBeLessThan(0.005);
  });
});

describe('Sketch bytes', () => {
  it('round-trip exact and dense sketches, which go on counting the same', () => {
    for (const n of [0, 1, 7_000, 30_000]) {
      const sketch = sketchOf(ids(0, n));
      const bytes = sketch.toBytes();
      const read = Sketch.fromBytes(bytes);
      expect(read.exact).toBe(sketch.exact);
      expect(read.estimate()).toBe(sketch.estimate());
      expect(hex(read.toBytes())).toBe(hex(bytes));
      read.add('newcomer00000000');
      sketch.add('newcomer00000000');
      expect(hex(read.toBytes())).toBe(hex(sketch.toBytes()));
    }
  });

  it('are versioned and compact: 2 + 8 bytes per exact member, 2 + 12,288 dense', () => {
    expect(Array.from(new Sketch().toBytes())).toEqual([1, 0]);
    expect(sketchOf(ids(0, 3)).toBytes().length).toBe(2 + 24);
    const dense = sketchOf(ids(0, 20_000)).toBytes();
    expect(dense.length).toBe(2 + 12_288);
    expect(Array.from(dense.subarray(0, 2))).toEqual([1, 1]);
  });

  it('reads a BLOB as D1 hands it back (an array of numbers), an ArrayBuffer or a view into a larger buffer', () => {
    const bytes = sketchOf(ids(0, 5)).toBytes();
    expect(Sketch.fromBytes(Array.from(bytes)).estimate()).toBe(5);
    expect(Sketch.fromBytes(bytes.slice().buffer).estimate()).toBe(5);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Sketch.fromBytes(padded.subarray(3)).estimate()).toBe(5);
  });

  it('merge straight from bytes as from a sketch read from them, exact or dense on either side', () => {
    for (const [mine, theirs] of [
      [ids(0, 4_000), ids(2_000, 7_000)],
      [ids(0, 4_000), ids(2_000, 30_000)],
      [ids(0, 30_000), ids(25_000, 29_000)],
      [ids(0, 8_000), ids(5_000, 12_000)],
    ] as const) {
      const viaSketch = sketchOf(mine).merge(Sketch.fromBytes(sketchOf(theirs).toBytes()));
      const viaBytes = sketchOf(mine).mergeBytes(Array.from(sketchOf(theirs).toBytes()));
      expect(viaBytes.exact).toBe(viaSketch.exact);
      expect(hex(viaBytes.toBytes())).toBe(hex(viaSketch.toBytes()));
    }
  });

  it('refuses what toBytes did not write', () => {
    const exact = sketchOf(ids(0, 3)).toBytes();
    const dense = sketchOf(ids(0, 20_000)).toBytes();
    const swapped = exact.slice();
    swapped.set(exact.subarray(10, 18), 2);
    swapped.set(exact.subarray(2, 10), 10);
    const repeated = exact.slice();
    repeated.set(exact.subarray(2, 10), 10);
    const badRank = dense.slice();
    badRank[2] = 0xff; // the first register reads 63, above the highest rank, 51
    const tooMany = new Uint8Array(2 + 8 * (SPARSE_LIMIT + 1));
    tooMany.set([1, 0]);
    const bad: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['header only in part', new Uint8Array([1])],
      ['another version', new Uint8Array([2, 0])],
      ['another mode', new Uint8Array([1, 7])],
      ['a truncated hash', exact.subarray(0, exact.length - 1)],
      ['hashes out of order', swapped],
      ['a repeated hash', repeated],
      ['more members than an exact sketch holds', tooMany],
      ['a truncated dense sketch', dense.subarray(0, dense.length - 1)],
      ['a rank no hash gives', badRank],
    ];
    for (const [what, bytes] of bad) expect(() => Sketch.fromBytes(bytes), what).toThrow(SketchFormatError);
    // Merging a bad blob changes nothing: every hash is checked before any is counted.
    const sketch = sketchOf(ids(0, 100));
    const before = hex(sketch.toBytes());
    for (const [what, bytes] of bad) expect(() => sketch.mergeBytes(bytes), what).toThrow(SketchFormatError);
    expect(hex(sketch.toBytes())).toBe(before);
    for (const numbers of [
      [1, 0, 256],
      [1, 0, -1],
      [1, 0, 1.5],
    ]) {
      expect(() => Sketch.fromBytes(numbers), String(numbers)).toThrow(SketchFormatError);
    }
  });
});
