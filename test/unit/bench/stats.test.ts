import { describe, expect, it } from 'vitest';
import { median, percentile, round, slope, summarise } from '../../../bench/stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns observed values: p50, p95 and p99 of 1..100', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it('rounds the rank up, so a small sample reports its worst value at p99', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([10, 20, 30], 0)).toBe(10);
  });

  it('refuses an empty set and percentiles outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarise', () => {
  it('sorts its input, leaves it untouched, and rounds to 2 decimals', () => {
    const values = [5, 1, 4, 2, 3.33333];
    const s = summarise(values);
    expect(values).toEqual([5, 1, 4, 2, 3.33333]);
    expect(s).toEqual({ count: 5, min: 1, mean: 3.07, p50: 3.33, p95: 5, p99: 5, max: 5 });
  });

  it('is undefined for no values', () => {
    expect(summarise([])).toBeUndefined();
  });
});

describe('median and round', () => {
  it('averages the two middle values of an even set', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, 1, 3])).toBe(3);
    expect(() => median([])).toThrow(RangeError);
  });

  it('rounds to the digits asked', () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.23456, 3)).toBe(1.235);
    expect(round(1234.5, 0)).toBe(1235);
  });
});

describe('slope', () => {
  it('fits a least-squares line', () => {
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2, 10);
    expect(
      slope([
        { x: 0, y: 5 },
        { x: 1, y: 9 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(0, 10);
  });

  it('is 0 without two distinct points', () => {
    expect(slope([])).toBe(0);
    expect(slope([{ x: 1, y: 2 }])).toBe(0);
    expect(
      slope([
        { x: 1, y: 2 },
        { x: 1, y: 4 },
      ]),
    ).toBe(0);
  });
});
