import type { AwsCall } from './fake-aws.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is walked dynamically.
type Json = Record<string, any>;

/** An Allow statement of a role's policy, its intrinsics resolved to the names the fake AWS uses. */
export interface Statement {
  actions: string[];
  resources: string[];
  condition?: Record<string, Record<string, string[]>>;
}

/** Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join) of a template to plain strings. */
export function templateResolver(
  resources: Record<string, Json>,
  names: {
    ref(logicalId: string, resource: Json): string;
    attribute(logicalId: string, resource: Json, attribute: string): string;
  },
  pseudo: Record<string, string>,
) {
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Json;
    if (v && typeof v === 'object' && 'Ref' in v) {
      const id = String(v.Ref);
      if (id in pseudo) return pseudo[id] as string;
      const resource = resources[id];
      if (!resource) throw new Error(`Ref to unknown ${id}`);
      return names.ref(id, resource);
    }
    if (v && typeof v === 'object' && 'Fn::GetAtt' in v) {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      const resource = resources[id];
      if (!resource) throw new Error(`GetAtt of unknown ${id}`);
      return names.attribute(id, resource, attribute);
    }
    if (v && typeof v === 'object' && 'Fn::Join' in v) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

/** The Allow statements of the inline policies (AWS::IAM::Policy) attached to a role. */
export function roleStatements(
  resources: Record<string, Json>,
  roleId: string,
  resolve: (value: unknown) => string,
): Statement[] {
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as Json[]).some((x) => x.Ref === roleId),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
    .map((s) => {
      if (s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} statement on ${roleId}`);
      return {
        actions: [s.Action].flat() as string[],
        resources: [s.Resource].flat().map(resolve),
        ...(s.Condition ? { condition: s.Condition as Statement['condition'] } : {}),
      };
    });
}

/** IAM's wildcards: `*` any run of characters, `?` one. */
function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

/** The condition operators the stack uses; any other fails loudly, so nothing passes unchecked. */
function conditionHolds(condition: Statement['condition'], call: AwsCall): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, rawPatterns] of Object.entries(keys)) {
      const patterns = [rawPatterns].flat();
      const context = call.context?.[key];
      const values =
        key === 'dynamodb:LeadingKeys' ? (call.leadingKeys ?? []) : context === undefined ? [] : [context];
      if (operator === 'ForAllValues:StringLike') {
        // As IAM: true for a request that carries no value of the key at all.
        if (!values.every((v) => patterns.some((p) => wildcard(p, v)))) return false;
      } else if (operator === 'StringEquals') {
        if (values.length !== 1 || !patterns.includes(values[0] as string)) return false;
      } else {
        throw new Error(`condition operator ${operator} is not evaluated by this check`);
      }
    }
  }
  return true;
}

/** Whether one statement allows a call: action, resource and condition. */
export function statementAllows(statement: Statement, call: AwsCall): boolean {
  return (
    statement.actions.some((a) => wildcard(a, call.action, true)) &&
    statement.resources.some((r) => wildcard(r, call.resource)) &&
    conditionHolds(statement.condition, call)
  );
}

/** A statement's grants one by one: each action on each resource, with the statement's condition. */
export function grantsOf(
  statements: readonly Statement[],
): (Statement & { action: string; resource: string })[] {
  return statements.flatMap((s) =>
    s.actions.flatMap((action) =>
      s.resources.map((resource) => ({ ...s, actions: [action], resources: [resource], action, resource })),
    ),
  );
}

/** The partition key's kind (`RECEIPT#form#`, `CONTACT#`), for messages: key values stay out of them. */
export const keyKind = (key: string) =>
  /^[A-Z]+#(?:(?:form|meta|linkedin|tiktok|google)#)?/.exec(key)?.[0] ?? '?';

/** A call as a message names it. */
export const describeCall = (call: AwsCall) =>
  `${call.action} on ${call.resource}${call.leadingKeys ? ` (keys ${[...new Set(call.leadingKeys.map(keyKind))].join(', ')})` : ''}`;
