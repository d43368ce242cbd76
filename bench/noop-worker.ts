// bench:api's no-op worker: runs bench/workflows/noop.ts on the task queue in argv[2], in a process of
// its own so that it does not share the event loop of the load it serves. Prints "ready" once polling.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../platform/config';
import { temporalConnectionOptions } from '../platform/temporal-connection';

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({
    address: config.TEMPORAL_ADDRESS,
    ...temporalConnectionOptions(config),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: process.argv[2],
    workflowsPath: require.resolve('./workflows/noop'),
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  console.log('ready');
  await running;
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
