// The console's home: the signed-in user's places, one per role the database gives them.
import { html } from '../html';
import type { ConsoleKit } from '../console';

const ROLE_WORDS: Record<string, string> = {
  ORG_ADMIN: 'Org admin: third-party users, the access ledger, client relationships, access reviews',
  PRODUCT_ADMIN: 'Product admin',
  MEMBER: 'Member',
  ACCOUNT_OWNER: 'Account owner',
  ACCOUNT_MANAGER: 'Practice manager',
  USER_MANAGER: 'User manager',
  STAFF: 'Staff',
};

const PRACTICE_PAGES = 'staff, organization access, offboarding, certifications, the partner account';

export function homePages(kit: ConsoleKit): void {
  kit.view('/console', async ({ me, places: placesOfMe }) => {
    const places = (await placesOfMe()).filter((place) => place.href !== '/console');
    const roleOf = (href: string) => {
      const membership = me.memberships.find((m) => href === `/console/organizations/${m.organizationId}`);
      if (membership) return ROLE_WORDS[membership.role];
      const practice = me.practiceRoles.find((p) => href.startsWith(`/console/partner-firms/${p.partnerFirmId}`));
      if (practice && href.endsWith('/account')) return `${ROLE_WORDS[practice.role]}: the partner account`;
      if (practice) return `${ROLE_WORDS[practice.role]}: ${PRACTICE_PAGES}`;
      if (href === '/console/support') return 'Support: the review queue, tickets, portal emails';
      if (href === '/console/portal') return 'Portal admin: partners, their users and invitations';
      return 'Your organizations and why, switching between them, tasks shared with you';
    };
    return {
      title: `Hello, ${me.displayName}`,
      body: html`<ul class="cards">
        ${places.map(
          (place) =>
            html`<li>
              <a href="${place.href}">${place.label}</a>
              <p>${roleOf(place.href)}</p>
            </li>`,
        )}
      </ul>`,
    };
  });
}
