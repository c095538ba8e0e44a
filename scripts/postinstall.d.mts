export function hydratePostgresSymlinks(): void;
export function generatePrismaClient(): void;
