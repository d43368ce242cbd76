-- Issue 12: registrations wait here until their email is proved. Existing users need no marking:
-- a User row is made only by a verified registration, an accepted invitation, or an operator, so
-- every existing one counts as verified.
-- CreateTable
CREATE TABLE "AccountRegistration" (
    "id" UUID NOT NULL,
    "email" CITEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "firmName" TEXT,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "userId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountRegistration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AccountRegistration_tokenHash_key" ON "AccountRegistration"("tokenHash");

-- CreateIndex
CREATE INDEX "AccountRegistration_email_idx" ON "AccountRegistration"("email");

