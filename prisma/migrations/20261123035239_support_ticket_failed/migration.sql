-- AlterEnum
ALTER TYPE "SupportTicketStatus" ADD VALUE 'FAILED';

-- AlterTable
ALTER TABLE "SupportTicket" ADD COLUMN     "failureDetail" TEXT,
ADD COLUMN     "failureReason" TEXT;

