// Response mapping paths: a dotted/indexed path into a JSON document, such as
// `data.items[0].id` or `[0].name`. Deliberately tiny (no wildcards, filters or
// expressions): staff write these in the inspector, and a path either names one value or not.

export type PathSegment = string | number;

const KEY = String.raw`[^.\[\]\s]+`;
const INDEX = String.raw`\[\d+\]`;
export const RESPONSE_PATH_PATTERN = new RegExp(`^(?:${KEY}|${INDEX})(?:\\.${KEY}|${INDEX})*$`);

/** The segments of a path, or null when it is not a valid path. */
export function parseResponsePath(path: string): PathSegment[] | null {
  if (!RESPONSE_PATH_PATTERN.test(path)) return null;
  const segments: PathSegment[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    segments.push(match[1] !== undefined ? Number(match[1]) : match[2]!);
  }
  return segments;
}

/** The value at `path` in `document`, or `undefined` when the path leads nowhere. */
export function readResponsePath(document: unknown, path: PathSegment[]): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (typeof segment !== "number" || segment >= current.length) return undefined;
      current = current[segment];
    } else if (current !== null && typeof current === "object") {
      const key = String(segment);
      // Own properties only: a path must not reach Object.prototype (`constructor`, `__proto__`).
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return current;
}
