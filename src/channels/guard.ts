// Checks a message at the point where it enters a process or a page (a child's IPC message, a
// webview's postMessage): whatever sent it, its shape is verified before anything acts on it.
// The checks of a channel are a table keyed by the channel's message types, and its type makes
// the compiler demand a check for every field of every message, so the guard cannot fall behind
// the types it guards.

/** What one field must be: a JSON type, one of a list of strings, or a predicate. */
export type FieldCheck = 'string' | 'number' | 'boolean' | 'object' | 'array' | readonly string[] | ((value: unknown) => boolean);

/** A field the message may leave out; when present it must pass `check`. */
export interface Optional {
  optional: FieldCheck;
}

type OptionalKeys<M> = { [K in keyof M]-?: object extends Pick<M, K> ? K : never }[keyof M];

/** A check for every field of message `M` but its `type`: `Optional` exactly where the field is optional. */
export type FieldChecks<M> = { [K in Exclude<keyof M, 'type'>]-?: K extends OptionalKeys<M> ? Optional : FieldCheck };

/** The checks of every message of a channel, by type. */
export type ChannelChecks<U extends { type: string }> = { [T in U['type']]: FieldChecks<Extract<U, { type: T }>> };

function passes(check: FieldCheck, value: unknown): boolean {
  if (typeof check === 'function') return check(value);
  if (Array.isArray(check)) return typeof value === 'string' && check.includes(value);
  if (check === 'array') return Array.isArray(value);
  if (check === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (check === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === check;
}

const expected = (check: FieldCheck): string =>
  typeof check === 'function' ? 'a valid value' : Array.isArray(check) ? `one of ${check.join(', ')}` : `a${check === 'object' || check === 'array' ? 'n' : ''} ${check}`;

/** Why `value` is not a message of the channel, or undefined when it is one. */
export function invalidMessage<U extends { type: string }>(checks: ChannelChecks<U>, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a message must be an object with a `type`';
  const message = value as Record<string, unknown>;
  const type = Object.hasOwn(message, 'type') ? message.type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(checks, type)) return `unknown message type ${JSON.stringify(type)?.slice(0, 80)}`;
  const fields = checks[type as U['type']] as Record<string, FieldCheck | Optional>;
  for (const [field, spec] of Object.entries(fields)) {
    const optional = typeof spec === 'object' && !Array.isArray(spec);
    const check = optional ? (spec as Optional).optional : (spec as FieldCheck);
    const present = Object.hasOwn(message, field) && message[field] !== undefined;
    if (!present && optional) continue;
    if (!present || !passes(check, message[field])) return `'${type}' message: \`${field}\` must be ${expected(check)}`;
  }
  return undefined;
}

/** A type guard from a channel's checks. */
export function guardOf<U extends { type: string }>(checks: ChannelChecks<U>): (value: unknown) => value is U {
  return (value: unknown): value is U => invalidMessage(checks, value) === undefined;
}
