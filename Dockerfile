# The worker and the API, for docker-compose.yml (not used by the local stack).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV DATABASE_URL=postgresql://partner_access:partner_access@postgres:5432/partner_access
RUN npx prisma generate
CMD ["npx", "tsx", "api/main.ts"]
