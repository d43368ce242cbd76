#!/usr/bin/env bash
# Authors a migration offline: the SQL difference between the committed schema (HEAD) and the
# edited one. (`prisma migrate dev` needs the native engine, which these machines cannot fetch.)
# The database must be up (`npm run stack -- up postgres`): the adapter connects even for a diff.
#   npm run db:new-migration -- <name>
set -euo pipefail
name=${1:?usage: npm run db:new-migration -- <name>}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "name: lowercase letters, digits and _ only" >&2; exit 2; }
cd "$(dirname "$0")/.."
set -a; source stack/local.env; set +a
old=$(mktemp --suffix=.prisma)
trap 'rm -f "$old"' EXIT
if git cat-file -e HEAD:prisma/schema.prisma 2>/dev/null && [ -n "$(ls prisma/migrations 2>/dev/null | grep -v lock)" ]; then
  git show HEAD:prisma/schema.prisma >"$old"; from=(--from-schema-datamodel "$old")
else
  from=(--from-empty)
fi
dir=prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name
mkdir -p "$dir"
npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script >"$dir/migration.sql"
printf '# Do not edit: Prisma reads this.\nprovider = "postgresql"\n' >prisma/migrations/migration_lock.toml
echo "wrote $dir/migration.sql"
