/**
 * EventBridge event pattern matching, for the subset of the pattern language the hub's rules use plus the
 * common content filters: exact values, prefix, suffix, equals-ignore-case, anything-but, numeric, exists.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Throws when a pattern is not one EventBridge would accept (every leaf must be an array of matchers). */
export function assertValidPattern(pattern: unknown, path = '(root)'): void {
  if (!isRecord(pattern)) throw new Error(`Invalid event pattern at ${path}: expected an object`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = path === '(root)' ? key : `${path}.${key}`;
    if (Array.isArray(value)) {
      for (const matcher of value) {
        if (isRecord(matcher)) assertValidMatcher(matcher, at);
      }
    } else if (isRecord(value)) {
      assertValidPattern(value, at);
    } else {
      throw new Error(`Invalid event pattern at ${at}: expected an array of values or a nested object`);
    }
  }
}

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'wildcard',
]);

function assertValidMatcher(matcher: Json, at: string): void {
  const keys = Object.keys(matcher);
  if (keys.length !== 1 || !OPERATORS.has(keys[0] as string)) {
    throw new Error(`Invalid event pattern at ${at}: unsupported matcher ${JSON.stringify(matcher)}`);
  }
}

/** True when the event matches every field of the pattern. */
export function matchesPattern(pattern: Json, event: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    const present = isRecord(event) && Object.hasOwn(event, key) && event[key] !== undefined;
    const value = present ? (event as Json)[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchesField(sub, present, value)) return false;
    } else if (isRecord(sub)) {
      if (!matchesPattern(sub, value)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** A field matches when any matcher matches; an array value matches when any element does. */
function matchesField(matchers: readonly unknown[], present: boolean, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  for (const matcher of matchers) {
    if (isRecord(matcher) && 'exists' in matcher) {
      // `exists` only applies to leaves: an object is not a matchable value.
      const leaf = present && !isRecord(value);
      if (matcher.exists === leaf) return true;
      continue;
    }
    if (!present) continue;
    if (values.some((v) => matchesValue(matcher, v))) return true;
  }
  return false;
}

function matchesValue(matcher: unknown, value: unknown): boolean {
  if (!isRecord(matcher)) return matchesLiteral(matcher, value);
  if ('prefix' in matcher) return matchesAffix(matcher.prefix, value, (v, p) => v.startsWith(p));
  if ('suffix' in matcher) return matchesAffix(matcher.suffix, value, (v, s) => v.endsWith(s));
  if ('equals-ignore-case' in matcher) {
    return (
      typeof value === 'string' &&
      typeof matcher['equals-ignore-case'] === 'string' &&
      value.toLowerCase() === matcher['equals-ignore-case'].toLowerCase()
    );
  }
  if ('anything-but' in matcher) return matchesAnythingBut(matcher['anything-but'], value);
  if ('numeric' in matcher) return matchesNumeric(matcher.numeric, value);
  if ('wildcard' in matcher) return matchesWildcard(matcher.wildcard, value);
  return false;
}

function matchesLiteral(literal: unknown, value: unknown): boolean {
  if (literal === null) return value === null;
  if (typeof literal === 'number') return typeof value === 'number' && value === literal;
  return literal === value;
}

function matchesAffix(
  affix: unknown,
  value: unknown,
  test: (value: string, affix: string) => boolean,
): boolean {
  if (typeof value !== 'string') return false;
  if (typeof affix === 'string') return test(value, affix);
  if (isRecord(affix) && typeof affix['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), affix['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function matchesAnythingBut(excluded: unknown, value: unknown): boolean {
  if (value === null || isRecord(value)) return false;
  if (Array.isArray(excluded)) return !excluded.some((e) => matchesLiteral(e, value));
  if (isRecord(excluded)) return !matchesValue(excluded, value);
  return !matchesLiteral(excluded, value);
}

function matchesNumeric(spec: unknown, value: unknown): boolean {
  if (typeof value !== 'number' || !Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0)
    return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (typeof bound !== 'number') return false;
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function matchesWildcard(spec: unknown, value: unknown): boolean {
  if (typeof spec !== 'string' || typeof value !== 'string') return false;
  const source = spec
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}
