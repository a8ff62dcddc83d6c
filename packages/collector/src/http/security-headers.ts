/**
 * Security headers of an HTML page: its Content-Security-Policy, no framing, no sniffing.
 *
 * @example htmlSecurityHeaders("default-src 'none'", 'no-referrer')
 */
export const htmlSecurityHeaders = (
  csp: string,
  referrerPolicy: 'no-referrer' | 'strict-origin-when-cross-origin' = 'strict-origin-when-cross-origin',
): Record<string, string> => ({
  'Content-Security-Policy': csp,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': referrerPolicy,
});
