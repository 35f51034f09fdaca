// Real services started once for the whole test run. Each entry starts one service, publishes how to reach it
// through `setEnv` (inherited by forked test workers), and returns its teardown.
import { startPostgresService } from './postgres.ts';

export type ServiceStarter = (setEnv: (key: string, value: string) => void) => Promise<(() => Promise<void>) | void>;

const services: ServiceStarter[] = [
  startPostgresService, // TG4_TEST_PG_URL (replay, issue 4)
];
export default services;
