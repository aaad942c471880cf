-- The root's CRL for the CAs it issued (an ARL, at /api/pki/arl), numbered on its own.
CREATE TABLE "AuthorityRevocationList" (
    "number" INTEGER NOT NULL PRIMARY KEY,
    "der" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
