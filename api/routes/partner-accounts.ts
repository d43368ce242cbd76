// PA-1 … PA-3 over HTTP: the partner account's summary and its Accounts list, a customer account's
// licences, export, suspension, users and seats. Thin: the use cases are domain/partner-accounts.ts,
// the decisions the policies' (domain/authorization/policies/partner-accounts.cedar).
import { z } from 'zod';
import type { Database } from '../../platform/database';
import { OrganizationId, PartnerFirmId, UserId } from '../../domain/messages/values/identifiers';
import {
  AccountStatusCommandV1,
  AssignLicenceV1,
  CreateCustomerUserV1,
  CustomerAccountFilterV1,
  EditCustomerUserV1,
  ExportFormatV1,
} from '../../domain/messages/commands/partner-accounts.v1';
import {
  AccountStatusChangeV1,
  CustomerAccountExportV1,
  CustomerAccountPageV1,
  CustomerUserListV1,
  LicenceAssignmentV1,
  LicenceSummaryV1,
  PartnerAccountV1,
} from '../../domain/messages/queries/partner-accounts.v1';
import { InvitationV1 } from '../../domain/messages/queries/invitation.v1';
import { PartnerAccounts } from '../../domain/partner-accounts';
import { exportFile } from '../../domain/account-export';
import type { AccountStatusClient } from '../../workflows/account-status/client';
import { AccountStatusRefusal } from '../../workflows/account-status/messages';
import type { InvitationsClient } from '../../workflows/invitation/client';
import { invitationCommand, loadInvitation, toInvitationV1 } from './invitations';
import { onFirm, onOrganization, route, type Check } from '../routes';
import { Problem } from '../problem';
import { workflowCommand } from '../workflow-command';

const FirmPath = z.strictObject({ partnerFirmId: PartnerFirmId });
const AccountPath = z.strictObject({ organizationId: OrganizationId });
const UserPath = z.strictObject({ organizationId: OrganizationId, userId: UserId });
const LicencePath = z.strictObject({ licenceId: z.uuid() });
const SeatPath = z.strictObject({ licenceId: z.uuid(), userId: UserId });
const Done = z.object({ message: z.string() }).meta({ id: 'PartnerAccountsDoneV1' });
const UserCreatedV1 = z
  .object({ confirmation: z.string(), invitation: InvitationV1 })
  .meta({ id: 'CustomerUserInvitedV1' });

export function partnerAccountRoutes(db: Database, invitations: InvitationsClient, statuses: AccountStatusClient) {
  const accounts = new PartnerAccounts(db);
  const tags = ['partner accounts'];
  const run = <T>(fn: () => Promise<T>) =>
    workflowCommand(fn, {
      subject: 'the account',
      refusals: { [AccountStatusRefusal.notFound]: 'not-found', [AccountStatusRefusal.invalid]: 'validation-failed' },
    });
  // The customer's org admins are theirs: managing one is a different question to the decision point.
  const onUser = async ({ params }: { params: { organizationId: string; userId: string } }): Promise<Check> => ({
    action:
      (await accounts.userRole(params.organizationId, params.userId)) === 'ORG_ADMIN'
        ? 'manageCustomerAdmins'
        : 'manageCustomerUsers',
    resource: { type: 'Organization', id: params.organizationId },
    denial:
      "Only the account's own org admins, or its partner's users under the automatic access model, manage its " +
      'users; its org admins only by its own org admins.',
  });
  const onLicence = ({ params }: { params: { licenceId: string } }): Check => ({
    action: 'assignLicence',
    resource: { type: 'Licence', id: params.licenceId },
    denial:
      "A partner account's own seats need its Account Manager role; a customer's seats go with managing its users.",
  });
  const changeStatus = (to: 'SUSPENDED' | 'ACTIVE') =>
    route({
      method: 'post',
      path: `/customer-accounts/:organizationId/${to === 'SUSPENDED' ? 'suspend' : 'reactivate'}`,
      summary:
        to === 'SUSPENDED'
          ? 'PA-2: suspend a customer account at once: its users are refused, its partner and support still get in'
          : 'PA-2: reactivate a suspended customer account: exactly what the suspension stopped works again',
      tags,
      auth: true,
      params: AccountPath,
      body: AccountStatusCommandV1,
      responses: {
        200: { description: 'Recorded (or already so: changed is false)', schema: AccountStatusChangeV1 },
      },
      problems: ['not-ready'],
      authorize: onOrganization('suspendCustomerAccount', "Only the account's partner or support suspends it."),
      handler: async ({ actor, params, body }) => ({
        status: 200,
        body: await run(() => statuses.change(params.organizationId, { to, actorUserId: actor.userId, ...body })),
      }),
    });
  const userCommand = (
    method: 'post' | 'delete',
    path: string,
    summary: string,
    act: (actorUserId: string, organizationId: string, userId: string) => Promise<void>,
    message: string,
  ) =>
    route({
      method,
      path: `/customer-accounts/:organizationId/users/:userId${path}`,
      summary,
      tags,
      auth: true,
      params: UserPath,
      responses: { 200: { description: message, schema: Done } },
      problems: ['conflict'],
      authorize: onUser,
      handler: async ({ actor, params }) => {
        await run(() => act(actor.userId, params.organizationId, params.userId));
        return { status: 200, body: { message } };
      },
    });

  return [
    route({
      method: 'get',
      path: '/partner-accounts/:partnerFirmId',
      summary: 'PA-1: My Account: the partner account’s user count, licensed products, expiry and licence summary',
      tags,
      auth: true,
      params: FirmPath,
      responses: { 200: { description: 'The partner account', schema: PartnerAccountV1 } },
      authorize: onFirm('viewPartnerAccount', "Only the partner account's own users see it."),
      handler: async ({ params }) => ({ status: 200, body: await accounts.summary(params.partnerFirmId) }),
    }),
    route({
      method: 'get',
      path: '/partner-accounts/:partnerFirmId/customers',
      summary: 'PA-2: the Accounts list, filtered by solution and status, a page at a time (sorted by name)',
      tags,
      auth: true,
      params: FirmPath,
      query: CustomerAccountFilterV1,
      responses: { 200: { description: 'One page', schema: CustomerAccountPageV1 } },
      problems: ['unprocessable'],
      authorize: onFirm('listCustomerAccounts', "Only the partner account's own users see its customer accounts."),
      handler: async ({ params, query }) => ({
        status: 200,
        body: await run(() => accounts.customers(params.partnerFirmId, query)),
      }),
    }),
    route({
      method: 'get',
      path: '/customer-accounts/:organizationId/licences',
      summary: 'PA-2: License summary: each product’s licence type, usage and contract dates',
      tags,
      auth: true,
      params: AccountPath,
      responses: { 200: { description: 'By product', schema: LicenceSummaryV1 } },
      authorize: onOrganization('viewCustomerAccount'),
      handler: async ({ params }) => ({
        status: 200,
        body: { items: await accounts.customerLicences(params.organizationId) },
      }),
    }),
    route({
      method: 'get',
      path: '/customer-accounts/:organizationId/export',
      summary: "PA-2: export an account's details as JSON or CSV (a download)",
      tags,
      auth: true,
      params: AccountPath,
      query: ExportFormatV1,
      responses: {
        200: {
          description: 'The details as a file (JSON, or CSV with one line per licence)',
          schema: CustomerAccountExportV1,
        },
      },
      authorize: onOrganization('exportCustomerAccount', "Only the account's partner exports it."),
      handler: async ({ params, query }) => {
        const file = exportFile(await accounts.details(params.organizationId), query.format);
        return {
          status: 200,
          body: file.json ?? Buffer.from(file.text!, 'utf8'),
          headers: { 'content-type': file.contentType, 'content-disposition': file.disposition },
        };
      },
    }),
    changeStatus('SUSPENDED'),
    changeStatus('ACTIVE'),
    route({
      method: 'get',
      path: '/customer-accounts/:organizationId/users',
      summary: "PA-3: Manage Users: the account's own users, their status there and their licences",
      tags,
      auth: true,
      params: AccountPath,
      responses: { 200: { description: 'Oldest first', schema: CustomerUserListV1 } },
      authorize: onOrganization('manageCustomerUsers'),
      handler: async ({ params }) => ({ status: 200, body: { items: await accounts.users(params.organizationId) } }),
    }),
    route({
      method: 'post',
      path: '/customer-accounts/:organizationId/users',
      summary: 'PA-3: create a user of the account: they get an invitation to set up their account',
      tags,
      auth: true,
      params: AccountPath,
      body: CreateCustomerUserV1,
      responses: { 201: { description: 'Invited', schema: UserCreatedV1 } },
      problems: ['conflict', 'not-ready'],
      authorize: onOrganization('manageCustomerUsers'),
      handler: async ({ actor, params, body }) => {
        const invitation = PartnerAccounts.newUserInvitation(actor.userId, params.organizationId, body);
        const { view } = await invitationCommand(() => invitations.open(invitation));
        if (view.refused) throw new Problem('conflict', view.refused.message);
        const row = (await loadInvitation(db, view.invitationId))!;
        return {
          status: 201,
          body: { confirmation: `Invitation sent to ${row.email}.`, invitation: toInvitationV1(row) },
          headers: { location: `/invitations/${row.id}` },
        };
      },
    }),
    route({
      method: 'patch',
      path: '/customer-accounts/:organizationId/users/:userId',
      summary: "PA-3: edit a user's information (name, role below org admin)",
      tags,
      auth: true,
      params: UserPath,
      body: EditCustomerUserV1,
      responses: { 200: { description: 'Edited', schema: Done } },
      problems: ['conflict'],
      authorize: onUser,
      handler: async ({ actor, params, body }) => {
        await run(() => accounts.editUser(actor.userId, params.organizationId, params.userId, body));
        return { status: 200, body: { message: 'Edited.' } };
      },
    }),
    userCommand(
      'post',
      '/deactivate',
      'PA-3: deactivate a user in this account (kept with their licences until reactivated or removed)',
      (a, o, u) => accounts.setUserActive(a, o, u, false),
      'Deactivated: they can no longer use this account.',
    ),
    userCommand(
      'post',
      '/reactivate',
      'PA-3: reactivate a deactivated user',
      (a, o, u) => accounts.setUserActive(a, o, u, true),
      'Reactivated.',
    ),
    userCommand(
      'delete',
      '',
      'PA-3: remove a user from the account: their access and the seats they held there go',
      (a, o, u) => accounts.removeUser(a, o, u),
      'Removed; their seats are free again.',
    ),
    route({
      method: 'post',
      path: '/licences/:licenceId/assignments',
      summary:
        "PA-1, PA-3: give a seat of a licence to a user of the licence's account (409 when every seat is taken)",
      tags,
      auth: true,
      params: LicencePath,
      body: AssignLicenceV1,
      responses: {
        201: { description: 'Assigned', schema: LicenceAssignmentV1 },
        200: { description: 'Already held: nothing changed', schema: LicenceAssignmentV1 },
      },
      problems: ['seats-full', 'unprocessable'],
      authorize: onLicence,
      handler: async ({ actor, params, body }) => {
        const outcome = await run(() => accounts.assign(actor.userId, params.licenceId, body.userId));
        return { status: outcome.assigned ? 201 : 200, body: outcome };
      },
    }),
    route({
      method: 'delete',
      path: '/licences/:licenceId/assignments/:userId',
      summary: 'PA-1, PA-3: take a seat back (nothing changes when the user holds none)',
      tags,
      auth: true,
      params: SeatPath,
      responses: { 200: { description: 'Unassigned', schema: LicenceAssignmentV1 } },
      authorize: onLicence,
      handler: async ({ actor, params }) => ({
        status: 200,
        body: await run(() => accounts.unassign(actor.userId, params.licenceId, params.userId)),
      }),
    }),
  ];
}
