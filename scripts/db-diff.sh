#!/usr/bin/env bash
# Writes a new migration from the difference between the committed schema
# (HEAD:prisma/schema.prisma) and the working one. Usage: npm run db:diff -- <name>
set -euo pipefail
name=${1:?usage: npm run db:diff -- <migration_name>}
export DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
old=$(mktemp --suffix=.prisma)
git show HEAD:prisma/schema.prisma > "$old" 2>/dev/null || : > "$old"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
if [ -s "$old" ]; then from=(--from-schema-datamodel "$old"); else from=(--from-empty); fi
npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
rm -f "$old"
echo "wrote $dir/migration.sql"
