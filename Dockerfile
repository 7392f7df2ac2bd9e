# syntax=docker/dockerfile:1
# Limpah: the captive portal, the RADIUS server and the operator CLI. Redis runs beside it (compose.yaml).
# NODE_IMAGE is the official Node 20 image; CI builds on a stand-in made from Debian and the machine's Node 20
# (test/container/), as the machines it runs on reach no image registry.
ARG NODE_IMAGE=node:20-slim

# The production dependencies, on their own: a change to the sources does not install them again.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The compiler and what it compiles: src/ only (tsconfig.build.json), never the tests or the benchmarks.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build -- --sourceMap false

# The `limpah` command (the operator CLI: docker exec -it <container> limpah admin create <username>) and the data
# folder, made here so that the last stage runs nothing: nothing of the build machine reaches it.
FROM ${NODE_IMAGE} AS layout
RUN printf '#!/bin/sh\nexec node /app/dist/src/cli.js "$@"\n' >/usr/local/bin/limpah \
 && chmod 755 /usr/local/bin/limpah \
 && mkdir /data

# What runs: compiled code, production dependencies and the files read at run time, owned by root and run by the
# unprivileged user `node` (uid 1000), whose data go to /data.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
COPY --from=layout /usr/local/bin/limpah /usr/local/bin/limpah
# The accounting spool kept while Redis is unavailable (<DATA_DIR>/spool): a volume, so that it outlives the container.
COPY --from=layout --chown=node:node /data /data
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY src/redis/scripts ./src/redis/scripts
COPY src/radius/dictionaries ./src/radius/dictionaries
COPY views ./views
COPY public ./public
COPY sites ./sites
COPY nas ./nas
USER node
VOLUME ["/data"]
# Redis is not in the image: set REDIS_URL (or REDIS_SENTINELS / REDIS_CLUSTER_NODES).
EXPOSE 3000/tcp 1812/udp 1813/udp
# Liveness only, not Redis: restarting Limpah during a Redis outage would lose its fail-open RADIUS and the spool.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.js stops on SIGTERM (docker stop): RADIUS requests in flight are answered, then it exits with 0.
CMD ["node", "dist/src/main.js"]
