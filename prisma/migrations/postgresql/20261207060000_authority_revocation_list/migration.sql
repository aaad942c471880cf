-- The root's CRL for the CAs it issued (an ARL, at /api/pki/arl), numbered on its own.
CREATE TABLE "AuthorityRevocationList" (
    "number" INTEGER NOT NULL,
    "der" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuthorityRevocationList_pkey" PRIMARY KEY ("number")
);
