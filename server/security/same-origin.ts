// CSRF defence for endpoints that a session cookie authenticates: a browser always names the
// page's origin on a cross-site POST, so a request whose Origin is another site is refused.
// (The session cookie is SameSite=Lax as well; this also covers old browsers and subdomains.)

/** True when `request` comes from a page of this app, or from a non-browser client (no Origin). */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
