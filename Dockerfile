# Plinth: one image, SQLite in /data by default; set DATABASE_URL for PostgreSQL.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# patches/ first: npm ci applies them (patch-package, postinstall)
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PLINTH_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
COPY --from=build /app/config ./config
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 3000 2525
USER node
CMD ["node", "dist/scripts/plinth.js", "start"]
