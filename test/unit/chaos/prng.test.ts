import { describe, expect, it } from 'vitest';
import { draw, hash32, KeyedDraws, mulberry32, pick } from '../../../bench/chaos/prng.js';

describe('seeded randomness of the reliability harness', () => {
  // Known values, computed by a separate implementation of the same algorithms (FNV-1a + murmur3
  // finaliser, mulberry32): a replay with the same --seed depends on them never changing.
  it('hashes text to a fixed 32-bit number that depends on the seed', () => {
    expect(hash32('dynamodb:PutItem#0')).toBe(1910145104);
    expect(hash32('dynamodb:PutItem#0')).not.toBe(hash32('dynamodb:PutItem#1'));
    expect(hash32('x', 1)).not.toBe(hash32('x', 2));
    expect(Number.isInteger(hash32('x'))).toBe(true);
    expect(hash32('x')).toBeGreaterThanOrEqual(0);
    expect(hash32('x')).toBeLessThan(2 ** 32);
  });

  it('draws uniform-looking floats in [0, 1) from a seed', () => {
    const rng = mulberry32(42);
    const values = Array.from({ length: 10_000 }, rng);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Array.from({ length: 5 }, mulberry32(42))).toEqual(values.slice(0, 5));
    expect(values.slice(0, 3)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
    expect(draw(7, 'k')).toBe(0.6745656486600637);
    expect(draw(7, 'k')).not.toBe(draw(8, 'k'));
  });

  it('gives the n-th draw of a name the same stream whatever the order of other names', () => {
    const a = new KeyedDraws(99);
    const b = new KeyedDraws(99);
    const fromA = [a.next('sqs')(), a.next('slack')(), a.next('sqs')()];
    // Another interleaving of the same calls.
    const slack = b.next('slack')();
    const sqs0 = b.next('sqs')();
    const sqs1 = b.next('sqs')();
    expect([sqs0, slack, sqs1]).toEqual(fromA);
    expect(fromA[0]).not.toBe(fromA[2]);
    expect(new KeyedDraws(100).next('sqs')()).not.toBe(fromA[0]);
  });

  it('picks by weight', () => {
    const choices = [
      ['a', 3],
      ['b', 1],
    ] as const;
    expect(pick(choices, 0)).toBe('a');
    expect(pick(choices, 0.74)).toBe('a');
    expect(pick(choices, 0.76)).toBe('b');
    expect(pick(choices, 0.999)).toBe('b');
    const rng = mulberry32(1);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) counts[pick(choices, rng())] += 1;
    expect(counts.a / 4000).toBeGreaterThan(0.7);
    expect(counts.a / 4000).toBeLessThan(0.8);
  });
});
