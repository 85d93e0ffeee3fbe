// Small helpers for building resources from GNU Health documents: FHIR forbids empty strings and empty arrays.

/** A non-empty trimmed string (numbers as text), or undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/** `{key: value}` when there is a value, `{}` otherwise: for spreading optional elements into a resource. */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
