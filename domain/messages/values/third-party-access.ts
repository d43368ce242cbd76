import { z } from 'zod';

/** Where a third-party-user relationship stands (TPU-1..TPU-4). */
export const TpuState = z
  .enum(['AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON', 'REJECTED', 'REMOVED', 'EXPIRED'])
  .meta({ id: 'TpuState', description: 'LISTED means on the TPU list with access off' });
export type TpuState = z.infer<typeof TpuState>;

export const TpuOrigin = z.enum(['REQUEST', 'SUPPORT_TICKET', 'CRM']).meta({ id: 'TpuOrigin' });
export type TpuOrigin = z.infer<typeof TpuOrigin>;

export const FINAL_STATES: readonly TpuState[] = ['REJECTED', 'REMOVED', 'EXPIRED'];
