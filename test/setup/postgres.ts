/**
 * vitest globalSetup of the project "postgres": a PostgreSQL server where every test harness creates its own database,
 * cloned from one migrated template.
 *
 * With TWINLAB_TEST_DATABASE_URL set, that server is used (the URL's user must be allowed to create databases).
 * Otherwise a private throwaway cluster is started from Debian's postgresql binaries in a temporary folder, on
 * 127.0.0.1 and a free port, and removed at the end of the run; nothing of the machine's own clusters is touched.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { migratePostgres } from '../../backend/db/pg/client.js';
import { installPgBoss } from '../../backend/jobs/pg-boss-queue.js';
import type { TestPostgres } from '../backend/support.js';
import { onServer, startCluster, withDatabase } from '../support/postgres-cluster.js';

/** Prepares the server and the template, hands them to the tests, and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TWINLAB_TEST_DATABASE_URL;
  const cluster = given ? undefined : await startCluster();
  const url = given ?? cluster!.url;
  // A name of this run's own, so that two runs against one server never clone each other's half-migrated template.
  const template = `twinlab_template_${randomBytes(4).toString('hex')}`;
  try {
    await onServer(url, `CREATE DATABASE "${template}"`);
    await migratePostgres(withDatabase(url, template));
    // pg-boss's schema too, so that each harness's job queue starts without installing it again.
    await installPgBoss(withDatabase(url, template));
  } catch (error) {
    await cluster?.stop();
    throw error;
  }
  project.provide('twinlabPostgres', { url, template } satisfies TestPostgres);
  return async () => {
    if (cluster) await cluster.stop();
    else await onServer(url, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  };
}
