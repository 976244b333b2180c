# The app image: the same `npm start` path as on a laptop, on real services.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN node scripts/build-web.mjs
EXPOSE 3000
# Node itself is PID 1 (no npx or shell between): `docker stop`'s SIGTERM reaches the
# server, which drains its requests and closes its connections before exiting.
CMD ["node", "--import", "tsx", "server/src/main.ts"]
