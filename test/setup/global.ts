// Global test setup: starts the real services that suites need (see scripts/test.sh and docs/testing.md).
// Each service module exports `start()` returning a teardown; they are listed here so that one process owns them.
import type { TestProject } from 'vitest/node';

type Teardown = () => Promise<void>;
const teardowns: Teardown[] = [];

export async function setup(project: TestProject): Promise<void> {
  const services = await import('./services.ts');
  for (const start of services.default) {
    const t = await start((key: string, value: string) => {
      process.env[key] = value;
      project.provide?.(key as never, value as never);
    });
    if (t) teardowns.push(t);
  }
}

export async function teardown(): Promise<void> {
  for (const t of teardowns.reverse()) await t();
}
