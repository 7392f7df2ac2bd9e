# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies, then drop them.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code, production dependencies and the files read at run time.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY src/redis/scripts ./src/redis/scripts
COPY src/radius/dictionaries ./src/radius/dictionaries
COPY views ./views
COPY public ./public
COPY sites ./sites
USER node
# Redis is not in the image: set REDIS_URL. Without it Limpah would try to start its own redis-server.
EXPOSE 3000/tcp 1812/udp 1813/udp
CMD ["node", "dist/src/main.js"]
