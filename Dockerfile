# One image for every service of the federation; the command picks the service
# (node --import tsx gateway/main.ts | subgraphs/<bureau>/main.ts). Node itself, not `npm run`, so that
# SIGTERM reaches the service and it shuts down gracefully.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY subgraphs/staffing/prisma subgraphs/staffing/prisma
COPY subgraphs/finance/prisma subgraphs/finance/prisma
COPY subgraphs/hr/prisma subgraphs/hr/prisma
COPY subgraphs/audit/prisma subgraphs/audit/prisma
COPY subgraphs/staffing/prisma.config.ts subgraphs/staffing/
COPY subgraphs/finance/prisma.config.ts subgraphs/finance/
COPY subgraphs/hr/prisma.config.ts subgraphs/hr/
COPY subgraphs/audit/prisma.config.ts subgraphs/audit/
# Dev dependencies are needed at install time: `prisma generate` runs in postinstall.
RUN npm ci --include=dev
COPY . .
USER node
CMD ["node", "--import", "tsx", "gateway/main.ts"]
