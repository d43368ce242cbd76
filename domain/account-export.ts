// PA-2: an account's details as a file a browser downloads: JSON, or CSV with one line per licence
// (RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with a quote).
import type { CustomerAccountExportV1 } from './messages/queries/partner-accounts.v1';

export const CSV_COLUMNS = [
  'account',
  'organizationId',
  'status',
  'accessModel',
  'totalUsers',
  'solution',
  'licenceType',
  'seats',
  'seatsUsed',
  'contractStart',
  'contractExpiry',
  'nextRenewal',
] as const;

function cell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(details: CustomerAccountExportV1): string {
  const { account } = details;
  const base = [account.name, account.organizationId, account.status, account.accessModel, account.totalUsers];
  const lines = details.licences.length
    ? details.licences.map((l) => [
        ...base,
        l.solution,
        l.type,
        l.seats,
        l.seatsUsed,
        l.contractStart,
        l.contractExpiry,
        l.nextRenewal,
      ])
    : [[...base, null, null, null, null, null, null, null]];
  return [CSV_COLUMNS.join(','), ...lines.map((line) => line.map(cell).join(','))].join('\r\n') + '\r\n';
}

/** A file name safe in any browser: ASCII in `filename`, the account's own name in `filename*` (RFC 6266). */
export function attachment(accountName: string, extension: 'json' | 'csv'): string {
  const name = `${accountName} details.${extension}`;
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function exportFile(details: CustomerAccountExportV1, format: 'json' | 'csv') {
  const disposition = attachment(details.account.name, format);
  return format === 'csv'
    ? { text: toCsv(details), contentType: 'text/csv; charset=utf-8', disposition }
    : { json: details, contentType: 'application/json; charset=utf-8', disposition };
}
