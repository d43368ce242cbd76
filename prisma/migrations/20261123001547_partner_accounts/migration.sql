-- CreateEnum
CREATE TYPE "BusinessPartnerRights" AS ENUM ('ADMIN', 'MEMBER');

-- CreateEnum
CREATE TYPE "CustomerAccessModel" AS ENUM ('AUTOMATIC', 'INVITE_GUEST');

-- CreateEnum
CREATE TYPE "LicenceType" AS ENUM ('SUBSCRIPTION', 'PERPETUAL', 'TRIAL', 'NOT_FOR_RESALE');

-- AlterEnum
ALTER TYPE "GrantSource" ADD VALUE 'GUEST';

-- AlterEnum
ALTER TYPE "InvitationKind" ADD VALUE 'CUSTOMER_USER';
ALTER TYPE "InvitationKind" ADD VALUE 'ACCOUNT_GUEST';

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "statusTransition" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "suspendedAt" TIMESTAMP(3),
ADD COLUMN     "suspendedById" UUID,
ADD COLUMN     "suspensionReason" TEXT;

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "deactivatedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "BusinessPartnerCompany" ADD COLUMN     "blockedAt" TIMESTAMP(3),
ADD COLUMN     "controlledAt" TIMESTAMP(3),
ADD COLUMN     "controlledById" UUID;

-- AlterTable
ALTER TABLE "BusinessPartner" ADD COLUMN     "rights" "BusinessPartnerRights" NOT NULL DEFAULT 'MEMBER';

-- CreateTable
CREATE TABLE "CustomerAccount" (
    "organizationId" UUID NOT NULL,
    "partnerFirmId" UUID NOT NULL,
    "accessModel" "CustomerAccessModel" NOT NULL DEFAULT 'AUTOMATIC',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerAccount_pkey" PRIMARY KEY ("organizationId")
);

-- CreateTable
CREATE TABLE "Licence" (
    "id" UUID NOT NULL,
    "organizationId" UUID,
    "partnerFirmId" UUID,
    "solution" TEXT NOT NULL,
    "type" "LicenceType" NOT NULL,
    "seats" INTEGER NOT NULL,
    "seatsUsed" INTEGER NOT NULL DEFAULT 0,
    "contractStart" TIMESTAMP(3) NOT NULL,
    "contractExpiry" TIMESTAMP(3) NOT NULL,
    "nextRenewal" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Licence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LicenceAssignment" (
    "licenceId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "assignedById" UUID,
    "assignedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LicenceAssignment_pkey" PRIMARY KEY ("licenceId","userId")
);

-- CreateTable
CREATE TABLE "AccountSwitch" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "AccountSwitch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CustomerAccount_partnerFirmId_idx" ON "CustomerAccount"("partnerFirmId");

-- CreateIndex
CREATE UNIQUE INDEX "Licence_organizationId_solution_key" ON "Licence"("organizationId", "solution");

-- CreateIndex
CREATE UNIQUE INDEX "Licence_partnerFirmId_solution_key" ON "Licence"("partnerFirmId", "solution");

-- CreateIndex
CREATE INDEX "LicenceAssignment_userId_idx" ON "LicenceAssignment"("userId");

-- CreateIndex
CREATE INDEX "AccountSwitch_userId_endedAt_idx" ON "AccountSwitch"("userId", "endedAt");

-- AddForeignKey
ALTER TABLE "CustomerAccount" ADD CONSTRAINT "CustomerAccount_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerAccount" ADD CONSTRAINT "CustomerAccount_partnerFirmId_fkey" FOREIGN KEY ("partnerFirmId") REFERENCES "PartnerFirm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Licence" ADD CONSTRAINT "Licence_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Licence" ADD CONSTRAINT "Licence_partnerFirmId_fkey" FOREIGN KEY ("partnerFirmId") REFERENCES "PartnerFirm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LicenceAssignment" ADD CONSTRAINT "LicenceAssignment_licenceId_fkey" FOREIGN KEY ("licenceId") REFERENCES "Licence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LicenceAssignment" ADD CONSTRAINT "LicenceAssignment_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- PA-1, PA-2: a licence belongs to exactly one account, and its seats are never over-assigned.
ALTER TABLE "Licence" ADD CONSTRAINT "Licence_one_account" CHECK (num_nonnulls("organizationId", "partnerFirmId") = 1);
ALTER TABLE "Licence" ADD CONSTRAINT "Licence_seats_within" CHECK ("seats" >= 0 AND "seatsUsed" >= 0 AND "seatsUsed" <= "seats");

-- PA-5: a switch is a person in an account.
ALTER TABLE "AccountSwitch" ADD CONSTRAINT "AccountSwitch_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AccountSwitch" ADD CONSTRAINT "AccountSwitch_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- BP-6: control taken is never handed back, whatever code runs: the database refuses it. The body
-- writes each statement end as \073 (octal for the semicolon), since the migration runner splits
-- this file at every semicolon, even inside a function body.
CREATE FUNCTION business_partner_control_is_final() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF OLD."controlledAt" IS NOT NULL AND (NEW."controlledAt" IS DISTINCT FROM OLD."controlledAt"
      OR NEW."controlledById" IS DISTINCT FROM OLD."controlledById") THEN
    RAISE EXCEPTION ''control of business partner company % was taken and cannot be handed back'', OLD.id
      USING ERRCODE = ''check_violation''\073
  END IF\073
  RETURN NEW\073
END';
CREATE TRIGGER "BusinessPartnerCompany_control_is_final" BEFORE UPDATE ON "BusinessPartnerCompany"
  FOR EACH ROW EXECUTE FUNCTION business_partner_control_is_final();
