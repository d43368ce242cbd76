import { can, type AccessLevel, type Power } from '../../domain/access';

describe('TPU-4 effective access levels', () => {
  const all: Power[] = ['view-organization', 'use-products', 'administer-products', 'manage-members', 'manage-integrations', 'view-reports-and-billing', 'export-data', 'request-third-party-access', 'manage-third-party-access', 'manage-org-admins', 'change-organization-settings'];
  const powers = (level: AccessLevel) => all.filter((p) => can(level, p));

  it('TPU-4 a third party with access on can do everything a product admin can, and most of what an org admin can', () => {
    for (const p of powers('PRODUCT_ADMIN').filter((p) => p !== 'request-third-party-access')) expect(can('THIRD_PARTY', p)).toBe(true);
    expect(powers('THIRD_PARTY').length).toBeGreaterThan(powers('ORG_ADMIN').length / 2);
  });

  it('TPU-4 the org-admin powers a third party does not get: managing TPUs, org admins and the organization settings', () => {
    expect(all.filter((p) => can('ORG_ADMIN', p) && !can('THIRD_PARTY', p))).toEqual([
      'request-third-party-access',
      'manage-third-party-access',
      'manage-org-admins',
      'change-organization-settings',
    ]);
  });

  it('no level, no power', () => {
    for (const p of all) expect(can(null, p)).toBe(false);
  });
});
