# The worker and the API (docker-compose.yml; the local stack runs without Docker). Issue 13: built in
# one stage (compiled to dist/, the workflow code bundled once), run from another with production
# dependencies only, as a non-root user, with node and no tsx.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# prisma generate needs a database URL to read its configuration, not a database.
ENV DATABASE_URL=postgresql://build:build@localhost:5432/build
RUN npx prisma generate && bash scripts/build.sh
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS run
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/prisma ./prisma
# Files owned by root, processes run as node: the code cannot be rewritten by what runs it.
USER node
# The processes refuse the development secrets: AUTH_JWT_SECRET, RELATIONSHIP_ID_KEY and the payload
# codec's keys must be given at run time. The worker's image is the same with another command.
CMD ["node", "dist/api/main.js"]
