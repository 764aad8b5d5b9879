import type { TestProject } from 'vitest/node';
import { startMariadb } from './mariadb-server.js';
import { startPostgres } from './postgres-server.js';
import type { TestServer } from './test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the throwaway PostgreSQL server, or '' when it could not start (see pgSkipReason). */
    pgUrl: string;
    pgSkipReason: string;
    /** Admin URL of the throwaway MariaDB server, or '' when it could not start. */
    mysqlUrl: string;
    mysqlSkipReason: string;
  }
}

/**
 * Starts one throwaway PostgreSQL (wal_level=logical) and one MariaDB (binlog ROW) for the whole
 * test run, on free loopback ports, unless CRMBRIDGE_TEST_PG_URL / CRMBRIDGE_TEST_MYSQL_URL name
 * servers to use. Where the binaries are missing the suites skip loudly; under CI=true that fails.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [pg, my] = await Promise.allSettled([startPostgres(), startMariadb()]);
  const started: TestServer[] = [];
  const provide = (
    result: PromiseSettledResult<TestServer>,
    urlKey: 'pgUrl' | 'mysqlUrl',
    reasonKey: 'pgSkipReason' | 'mysqlSkipReason',
  ) => {
    if (result.status === 'fulfilled') {
      started.push(result.value);
      project.provide(urlKey, result.value.url);
      project.provide(reasonKey, '');
    } else {
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      if (process.env.CI === 'true') throw new Error(`test server could not start under CI: ${reason}`);
      console.warn(`\n*** ${urlKey === 'pgUrl' ? 'PostgreSQL' : 'MariaDB'} tests will be SKIPPED: ${reason}\n`);
      project.provide(urlKey, '');
      project.provide(reasonKey, reason);
    }
  };
  provide(pg, 'pgUrl', 'pgSkipReason');
  provide(my, 'mysqlUrl', 'mysqlSkipReason');
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
