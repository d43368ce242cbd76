# The worker and the API, for docker-compose.yml (not used by the local stack).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV DATABASE_URL=postgresql://partner_access:partner_access@postgres:5432/partner_access
RUN npx prisma generate
# After npm ci (which would skip the dev dependencies tsx and prisma): the processes refuse the
# development secrets, so AUTH_JWT_SECRET and RELATIONSHIP_ID_KEY must be given at run time.
ENV NODE_ENV=production
CMD ["npx", "tsx", "api/main.ts"]
