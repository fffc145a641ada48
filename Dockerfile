# syntax=docker/dockerfile:1
# Two images from one file:
#   docker build -t kpi-bot .                      embedded database (PGlite) by default, or DATABASE_URL
#   docker build --target postgres -t kpi-bot .    PostgreSQL only (DATABASE_URL required), leaner
# Both run compiled JavaScript on Node 24 in a distroless image (no shell, no npm) as a non-root user.

# Build: compile TypeScript with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# patches/: fixes to dependencies that `npm ci` applies (postinstall, patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only, without what nothing loads at run time: type declarations, source
# maps, TypeScript sources and docs, and the Inter weights the charts do not use (src/charts/font.ts).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \
       -o -name '*.md' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \) -delete \
  && rm -rf node_modules/@types \
  && find node_modules/@expo-google-fonts/inter -mindepth 1 -maxdepth 1 -type d \
       ! -name 400Regular ! -name 600SemiBold -exec rm -rf {} + \
  && mkdir -p /data

# PGlite is an optional dependency, loaded only when DATABASE_URL is not set (src/db/client.ts).
FROM deps AS deps-postgres
RUN rm -rf node_modules/@electric-sql/pglite

FROM gcr.io/distroless/nodejs24-debian12:nonroot AS postgres
# MALLOC_ARENA_MAX=2: glibc gives every thread that allocates (V8's compiler and GC helpers) an arena
# of its own and keeps what they free in it; two arenas in all took the serving peak at 10M entries
# from 151 to 143-146 MiB at the same CPU per request (bench/scale.ts runs the app with this ENV).
ENV NODE_ENV=production PORT=3000 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json ./
COPY --from=deps-postgres /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
USER nonroot
EXPOSE 3000
# The HTTP server runs in every mode: in Socket Mode it still serves /healthz, /readyz, /metrics and
# the CRM webhooks (src/app.ts passes the routes and PORT to Bolt's Socket Mode receiver).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly, not npm start: signals reach the process, which shuts down gracefully.
# Migrations run at start-up under a lock (src/db/client.ts); `node dist/cli/main.js db migrate` runs them alone.
# Memory (issue 12; bench/scale.ts starts the app with these flags and measures RSS and latency):
# an 8 MB young generation instead of V8's 16 MB (16 MB put the serving peak at 152 MiB at 10M entries;
# 2 MB kept it at 133 MiB but collected so often that /kpi board's p90 went from 16 to 27 ms; 8 MB and
# 4 MB, run alternately: board p99s 25-26 ms against 35-36 ms, peaks 138-146 MiB against 132-135);
# and an explicit 256 MB old generation. Sized from the machine's memory, V8 let garbage pile up to
# ~100 MB over a few App Home opens at 10M entries (peak RSS 207 MB); with an explicit limit it
# collects sooner (peak 133 MB at 128 or 256 MB, 10-20% slower requests at 128), and the live set
# stays near 40 MB. The largest job measured, the daily nudges of 5,000 reps, completes within even
# 128 MB; raise the limit here for much larger workspaces. With that limit V8 let the old generation
# grow only about 1.4x its live set before the next full collection, one every 25 commands at 10M
# entries; a fixed 1.5x (--heap-growing-percent=50) took the serving process's CPU for /kpi board
# from 12 to 7-8 ms and /kpi me from 13-14 to 10-11 ms, at the same peak (146 against 143 MiB).
# --liftoff-only: WebAssembly stays on V8's baseline compiler. Node 24 recompiles hot WebAssembly
# with its optimising tier, which took PGlite's serving peak at 1M entries to 766 MiB (236 with the
# flag, at a /kpi me p99 of 32 against 30 ms) and, on PostgreSQL, recompiling fetch's HTTP parser (undici's
# llhttp) put 12-15 MiB on the serving peak (162-165 against 148-150 MiB, no slower).
# --no-sparkplug: no baseline machine code between V8's interpreter and its optimising tiers; in
# four alternating pairs of runs the peak was 143-145 against 145-150 MiB, CPU per request within
# the runs' spread (/kpi me 8.4-8.9 against 8.3-8.8 ms).
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["--max-semi-space-size=8", "--max-old-space-size=256", "--heap-growing-percent=50", "--liftoff-only", "--no-sparkplug", "dist/main.js"]

FROM postgres AS embedded
ENV DATA_DIR=/data
COPY --from=deps /app/node_modules/@electric-sql ./node_modules/@electric-sql
# A new /data starts from this snapshot instead of PGlite's initdb (src/db/pglite-cluster.ts).
COPY vendor/pglite ./vendor/pglite
COPY --from=deps --chown=nonroot:nonroot /data /data
VOLUME ["/data"]
