-- AlterTable
ALTER TABLE "User" ADD COLUMN     "externalIssuer" TEXT,
ADD COLUMN     "externalSubject" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "User_externalIssuer_externalSubject_key" ON "User"("externalIssuer", "externalSubject");


-- A link names both the provider and its subject, or nothing (added by hand: Prisma cannot declare it).
ALTER TABLE "User" ADD CONSTRAINT "User_external_identity_whole"
  CHECK (("externalIssuer" IS NULL) = ("externalSubject" IS NULL));
