# stripe-source as an Airbyte source connector (not built by the test suite).
#
#   npm ci && npm run build
#   docker build -t stripe-source-airbyte:0.1.0 .
#   docker run --rm stripe-source-airbyte:0.1.0 spec
#   docker run --rm -v "$PWD/secrets:/secrets" stripe-source-airbyte:0.1.0 check --config /secrets/config.json
#
# Airbyte runs the image with `spec`, `check`, `discover` or `read` and their --config/--catalog/--state
# flags; ENTRYPOINT and AIRBYTE_ENTRYPOINT put `stripe-source airbyte` in front of them.
FROM node:20-bookworm-slim

WORKDIR /airbyte/integration_code
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Runtime dependencies only; the build output comes from `npm run build` on the host.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY dist ./dist

ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/cli/main.js airbyte"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/cli/main.js", "airbyte"]

LABEL io.airbyte.name=stripe-source/source-stripe-source
LABEL io.airbyte.version=0.1.0
