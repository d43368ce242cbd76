-- CreateEnum
CREATE TYPE "TpuState" AS ENUM ('AWAITING_ACCOUNT', 'REQUESTED', 'LISTED', 'ACCESS_ON', 'REJECTED', 'REMOVED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "TpuOrigin" AS ENUM ('REQUEST', 'SUPPORT_TICKET', 'CRM');

-- CreateTable
CREATE TABLE "ThirdPartyRelationship" (
    "organizationId" UUID NOT NULL,
    "relationshipId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "transition" INTEGER NOT NULL,
    "thirdPartyUserId" UUID,
    "thirdPartyEmail" CITEXT NOT NULL,
    "thirdPartyName" TEXT NOT NULL,
    "firmName" TEXT NOT NULL,
    "state" "TpuState" NOT NULL,
    "origin" "TpuOrigin" NOT NULL,
    "reason" TEXT NOT NULL,
    "ticketId" TEXT,
    "requestedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThirdPartyRelationship_pkey" PRIMARY KEY ("organizationId","relationshipId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ThirdPartyRelationship_workflowId_key" ON "ThirdPartyRelationship"("workflowId");

-- CreateIndex
CREATE INDEX "ThirdPartyRelationship_thirdPartyUserId_state_idx" ON "ThirdPartyRelationship"("thirdPartyUserId", "state");

-- CreateIndex
CREATE INDEX "ThirdPartyRelationship_thirdPartyEmail_state_idx" ON "ThirdPartyRelationship"("thirdPartyEmail", "state");

-- AddForeignKey
ALTER TABLE "ThirdPartyRelationship" ADD CONSTRAINT "ThirdPartyRelationship_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

