// The worker side of platform/temporal.ts: the native connection (kept out of the API's process,
// which never loads the worker's native bridge).
import { NativeConnection } from '@temporalio/worker';
import { explainTemporalConnectError, temporalConnectionOptions } from './temporal-connection';
import type { TemporalSettings } from './temporal';

export async function connectWorkerTemporal(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: settings.TEMPORAL_ADDRESS,
    ...temporalConnectionOptions(settings),
  }).catch(async (err: unknown) => {
    throw await explainTemporalConnectError(settings, err);
  });
}
