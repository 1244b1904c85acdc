# mission-bot's server (the GitHub App) as a container image: `node lib/server.js`,
# configured by the environment alone (README, "Deploy"). Build: `docker build -t mission-bot .`
# Run several replicas against one Redis: docker-compose.yml.
# test/e2e/deploy.test.ts runs every step of this file and its CMD against the GitHub twin.
# For reproducible builds, pin the base image by digest (node:24-bookworm-slim@sha256:…).

# Build lib/ from the TypeScript sources (the development dependencies stay in this stage).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The image: Node 24, the runtime dependencies, lib/; no compiler, no tests.
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
COPY app.yml ./
# the node image's unprivileged user
USER node
EXPOSE 3000
# up, and answering: GET /mission-bot/health ({"status":"ok","busy":…}); the image has no curl, Node asks
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/mission-bot/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "lib/server.js"]
