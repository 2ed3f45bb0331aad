import { defineConfig } from 'prisma/config';

// Only `prisma generate` runs here; `prisma migrate deploy` on a connected machine reads DATABASE_URL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused' },
});
