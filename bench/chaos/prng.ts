/**
 * Seeded randomness for the reliability harness. Every fault decision is a pure function of the seed and
 * the decision's key (e.g. `dynamodb:PutItem:{key}#3`: the third such call), not of call order, so a
 * failing run replays the same faults with the same `--seed` even though concurrent calls interleave
 * differently from run to run.
 */

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser: a well-spread 32-bit hash. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: a small, fast PRNG with a 32-bit state; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A draw in [0, 1) fixed by the seed and the key. */
export function draw(seed: number, key: string): number {
  return mulberry32(hash32(key, seed))();
}

/**
 * Draw streams keyed by a name plus how many times that name was drawn before (the n-th call of a kind):
 * `next('sqs:send:form:s_1')` is the same stream in every run with the same seed.
 */
export class KeyedDraws {
  private readonly counts = new Map<string, number>();

  constructor(readonly seed: number) {}

  next(name: string): () => number {
    const n = this.counts.get(name) ?? 0;
    this.counts.set(name, n + 1);
    return mulberry32(hash32(`${name}#${n}`, this.seed));
  }
}

/** Picks one of `choices` by weight with a draw in [0, 1). */
export function pick<T>(choices: readonly (readonly [T, number])[], u: number): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let at = u * total;
  for (const [choice, weight] of choices) {
    if (at < weight) return choice;
    at -= weight;
  }
  return (choices[choices.length - 1] as readonly [T, number])[0];
}
