// How every process reaches Temporal: the address, and (for a production cluster) TLS, mTLS or an
// API key. Read by the API's and the scripts' clients and by the worker's native connection alike.
import { z } from 'zod';
import type { TLSConfig } from '@temporalio/client';

export const TemporalConnectionEnv = z.object({});

export type TemporalConnectionSettings = z.infer<typeof TemporalConnectionEnv>;

/** The options both Connection.connect and NativeConnection.connect take besides the address. */
export function temporalConnectionOptions(
  _settings: TemporalConnectionSettings,
): { tls?: TLSConfig | boolean; apiKey?: string; metadata?: Record<string, string> } {
  return {};
}
