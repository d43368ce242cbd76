-- CreateEnum
CREATE TYPE "OffboardingState" AS ENUM ('RUNNING', 'COMPLETED', 'REFUSED');

-- AlterEnum
ALTER TYPE "InvitationKind" ADD VALUE 'ORGANIZATION_ACCESS';

-- CreateTable
CREATE TABLE "PartnerFirmClient" (
    "partnerFirmId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PartnerFirmClient_pkey" PRIMARY KEY ("partnerFirmId","organizationId")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "ownerUserId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssignmentHandover" (
    "assignmentId" UUID NOT NULL,
    "offboardingId" UUID NOT NULL,
    "fromUserId" UUID NOT NULL,
    "toUserId" UUID NOT NULL,
    "movedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AssignmentHandover_pkey" PRIMARY KEY ("assignmentId","offboardingId")
);

-- CreateTable
CREATE TABLE "Offboarding" (
    "id" UUID NOT NULL,
    "workflowId" TEXT NOT NULL,
    "partnerFirmId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "replacementUserId" UUID NOT NULL,
    "requestedById" UUID NOT NULL,
    "state" "OffboardingState" NOT NULL,
    "reason" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "Offboarding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OffboardingStep" (
    "offboardingId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "reassigned" INTEGER NOT NULL,
    "roleGiven" "OrgRole",
    "roleRemoved" "OrgRole",
    "completedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OffboardingStep_pkey" PRIMARY KEY ("offboardingId","organizationId")
);

-- CreateTable
CREATE TABLE "Certification" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "program" TEXT NOT NULL,
    "certifiedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Certification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CertificationInvite" (
    "userId" UUID NOT NULL,
    "partnerFirmId" UUID NOT NULL,
    "invitedById" UUID NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CertificationInvite_pkey" PRIMARY KEY ("userId","partnerFirmId")
);

-- CreateIndex
CREATE INDEX "PartnerFirmClient_organizationId_idx" ON "PartnerFirmClient"("organizationId");

-- CreateIndex
CREATE INDEX "Assignment_organizationId_ownerUserId_idx" ON "Assignment"("organizationId", "ownerUserId");

-- CreateIndex
CREATE INDEX "Assignment_ownerUserId_idx" ON "Assignment"("ownerUserId");

-- CreateIndex
CREATE INDEX "AssignmentHandover_offboardingId_idx" ON "AssignmentHandover"("offboardingId");

-- CreateIndex
CREATE INDEX "Offboarding_partnerFirmId_createdAt_idx" ON "Offboarding"("partnerFirmId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Certification_userId_key" ON "Certification"("userId");

-- AddForeignKey
ALTER TABLE "OffboardingStep" ADD CONSTRAINT "OffboardingStep_offboardingId_fkey" FOREIGN KEY ("offboardingId") REFERENCES "Offboarding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

