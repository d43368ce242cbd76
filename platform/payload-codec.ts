// What Temporal stores of our payloads: workflow and activity inputs and results, signals, updates,
// memos. Every client and worker converts through here.
import { z } from 'zod';
import type { DataConverter } from '@temporalio/common';

export const PayloadCodecEnv = z.object({});

export type PayloadCodecSettings = z.infer<typeof PayloadCodecEnv>;

export function temporalDataConverter(_settings: PayloadCodecSettings): DataConverter {
  return {};
}
