// Prisma CLI configuration. The "js" engine with a driver adapter means the CLI needs no
// native engine download (DESIGN.md section 4); the adapter is memoized because the CLI
// asks for it more than once.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

let adapter: PrismaPg | undefined;

export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  async adapter() {
    adapter ??= new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://localhost:5432/parley",
    });
    return adapter;
  },
});
