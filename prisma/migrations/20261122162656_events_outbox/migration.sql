-- CreateEnum
CREATE TYPE "SupportTicketStatus" AS ENUM ('RECEIVED', 'DISPATCHED');

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "sequence" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "aggregateType" TEXT NOT NULL,
    "aggregateId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "subject" TEXT,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "OutboxEvent_pkey" PRIMARY KEY ("sequence")
);

-- CreateTable
CREATE TABLE "ProcessedEvent" (
    "consumer" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "processedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedEvent_pkey" PRIMARY KEY ("consumer","eventId")
);

-- CreateTable
CREATE TABLE "CrmAccountOwnerStatus" (
    "organizationExternalId" TEXT NOT NULL,
    "partnerEmail" CITEXT NOT NULL,
    "partnerFirmName" TEXT NOT NULL,
    "isAccountOwner" BOOLEAN NOT NULL,
    "asOf" TIMESTAMP(3) NOT NULL,
    "sourceEventId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CrmAccountOwnerStatus_pkey" PRIMARY KEY ("organizationExternalId","partnerEmail")
);

-- CreateTable
CREATE TABLE "SupportTicket" (
    "ticketId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "channel" TEXT NOT NULL,
    "status" "SupportTicketStatus" NOT NULL DEFAULT 'RECEIVED',
    "workflowId" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SupportTicket_pkey" PRIMARY KEY ("ticketId")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_id_key" ON "OutboxEvent"("id");

-- CreateIndex
CREATE INDEX "OutboxEvent_aggregateId_sequence_idx" ON "OutboxEvent"("aggregateId", "sequence");


-- Written by hand (Prisma's schema cannot express a partial index):
-- The relay's scan: unpublished rows in sequence order.
CREATE INDEX "OutboxEvent_unpublished_idx" ON "OutboxEvent"("sequence") WHERE "publishedAt" IS NULL;

