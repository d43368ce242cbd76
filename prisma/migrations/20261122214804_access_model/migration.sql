-- AM-1, AM-2, AM-5, AM-6: grants with provenance, client relationships, time-bound access, reviews.

-- CreateEnum
CREATE TYPE "GrantSource" AS ENUM ('OWN', 'DELEGATION');

-- CreateEnum
CREATE TYPE "ClientRelationshipState" AS ENUM ('PENDING_APPROVAL', 'ACTIVE', 'DECLINED', 'TERMINATED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "UnconfirmedGrants" AS ENUM ('LAPSE', 'KEEP');

-- CreateEnum
CREATE TYPE "AccessReviewState" AS ENUM ('OPEN', 'COMPLETED');

-- CreateEnum
CREATE TYPE "AccessReviewDecision" AS ENUM ('CONFIRMED', 'REVOKED', 'LAPSED', 'KEPT');

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "clientRelationshipId" UUID,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "grantedById" UUID,
ADD COLUMN     "invitationId" UUID,
ADD COLUMN     "source" "GrantSource" NOT NULL DEFAULT 'OWN';

-- AlterTable
ALTER TABLE "ThirdPartyRelationship" ADD COLUMN     "accessEndsAt" TIMESTAMP(3),
ADD COLUMN     "accessGrantedAt" TIMESTAMP(3),
ADD COLUMN     "accessGrantedById" UUID;

-- AlterTable
ALTER TABLE "TaskGrant" ADD COLUMN     "grantedById" UUID;

-- CreateTable
CREATE TABLE "ClientRelationship" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "partnerFirmId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "state" "ClientRelationshipState" NOT NULL,
    "roleCeiling" "OrgRole" NOT NULL,
    "durationDays" INTEGER NOT NULL,
    "autoExtend" BOOLEAN NOT NULL,
    "requestedById" UUID,
    "approvedById" UUID,
    "approvedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "extensions" INTEGER NOT NULL DEFAULT 0,
    "endedById" UUID,
    "endedAt" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "transition" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClientRelationship_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReviewPolicy" (
    "organizationId" UUID NOT NULL,
    "everyDays" INTEGER NOT NULL DEFAULT 90,
    "deadlineDays" INTEGER NOT NULL DEFAULT 14,
    "unconfirmed" "UnconfirmedGrants" NOT NULL DEFAULT 'KEEP',
    "updatedById" UUID,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessReviewPolicy_pkey" PRIMARY KEY ("organizationId")
);

-- CreateTable
CREATE TABLE "AccessReview" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "organizationId" UUID NOT NULL,
    "state" "AccessReviewState" NOT NULL,
    "unconfirmed" "UnconfirmedGrants" NOT NULL,
    "deadline" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "AccessReview_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessReviewItem" (
    "reviewId" UUID NOT NULL,
    "grantId" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "decision" "AccessReviewDecision",
    "decidedById" UUID,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "AccessReviewItem_pkey" PRIMARY KEY ("reviewId","grantId")
);

-- CreateIndex
CREATE INDEX "ClientRelationship_partnerFirmId_state_idx" ON "ClientRelationship"("partnerFirmId", "state");

-- CreateIndex
CREATE INDEX "ClientRelationship_organizationId_state_idx" ON "ClientRelationship"("organizationId", "state");

-- CreateIndex
CREATE INDEX "AccessReview_organizationId_createdAt_idx" ON "AccessReview"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "Membership_clientRelationshipId_idx" ON "Membership"("clientRelationshipId");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_clientRelationshipId_fkey" FOREIGN KEY ("clientRelationshipId") REFERENCES "ClientRelationship"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClientRelationship" ADD CONSTRAINT "ClientRelationship_partnerFirmId_fkey" FOREIGN KEY ("partnerFirmId") REFERENCES "PartnerFirm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClientRelationship" ADD CONSTRAINT "ClientRelationship_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessReviewItem" ADD CONSTRAINT "AccessReviewItem_reviewId_fkey" FOREIGN KEY ("reviewId") REFERENCES "AccessReview"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A delegated membership names its relationship: an own membership names none (AM-1).
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_source_relationship_check"
  CHECK (("source" = 'DELEGATION') = ("clientRelationshipId" IS NOT NULL));

-- One open relationship (asked for or active) per firm and organization (AM-2).
CREATE UNIQUE INDEX "ClientRelationship_one_open_per_pair" ON "ClientRelationship"("partnerFirmId", "organizationId")
  WHERE "state" IN ('PENDING_APPROVAL', 'ACTIVE');

-- Today's data. Each client-list row becomes an ACTIVE relationship. Nobody approved these, so
-- they run for 90 days without auto-extension (the organization approves a new one to go on), with
-- the lowest ceiling that keeps what the firm's staff hold there today. The worker adopts each one
-- into its workflow at start, which then holds its timers.
INSERT INTO "ClientRelationship" ("id", "workflowId", "partnerFirmId", "organizationId", "state", "roleCeiling",
  "durationDays", "autoExtend", "approvedAt", "expiresAt", "reason", "transition", "updatedAt")
SELECT r.id, 'client-relationship-' || r.id, r."partnerFirmId", r."organizationId", 'ACTIVE',
  COALESCE((SELECT MIN(m."role") FROM "Membership" m
              JOIN "PracticeStaffMember" p ON p."userId" = m."userId" AND p."partnerFirmId" = r."partnerFirmId"
             WHERE m."organizationId" = r."organizationId"), 'MEMBER'),
  90, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + INTERVAL '90 days',
  'Carried over from the client list before approvals existed. The organization approves a new one to go on.',
  1, CURRENT_TIMESTAMP
FROM (SELECT gen_random_uuid() AS id, c."partnerFirmId", c."organizationId" FROM "PartnerFirmClient" c) r;

-- A membership a firm's staff member holds in one of that firm's client organizations was the
-- firm's delegation: every other membership is the organization's own.
UPDATE "Membership" m SET "source" = 'DELEGATION', "clientRelationshipId" = d.rid
FROM (SELECT DISTINCT ON (m2.id) m2.id AS mid, r.id AS rid
        FROM "Membership" m2
        JOIN "ClientRelationship" r ON r."organizationId" = m2."organizationId"
        JOIN "PracticeStaffMember" p ON p."partnerFirmId" = r."partnerFirmId" AND p."userId" = m2."userId"
       ORDER BY m2.id, r."createdAt") d
WHERE m.id = d.mid;

-- DropTable
DROP TABLE "PartnerFirmClient";
