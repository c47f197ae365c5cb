import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations: `npx drizzle-kit generate --config backend/db/pg/drizzle.config.ts --name <name>`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './backend/db/pg/schema.ts',
  out: './migrations/pg',
});
