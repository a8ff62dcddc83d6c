/** The directives of a `Content-Security-Policy` header as a map of name → sources. */
export const cspDirectives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
