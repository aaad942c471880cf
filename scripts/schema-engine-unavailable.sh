#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline.
# `prisma generate` only checks that this file exists. Migrations are applied by server/db/migrate.ts.
echo "the Prisma schema engine is not installed; migrations are applied by the server on start" >&2
exit 1
