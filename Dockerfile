# A small static image: CGO off, CA certificates included, non-root, the database on a
# volume. Build: docker build -t newsbot . (see README: not built in CI, which has no
# Docker engine).
FROM golang:1.27 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/newsbot . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/newsbot /usr/local/bin/newsbot
COPY --from=build --chown=65532:65532 /out/data /data
# The operator endpoint listens on every interface so that the container's port can be
# published. That is safe only because /backup (the whole database) answers nothing
# without NEWSBOT_OPS_TOKEN and needs that token as a bearer token when it is set; the
# other paths (/metrics, /healthz, /readyz) hold no reader data. Pass the token as a
# file: docker run -v /srv/secrets/ops_token:/run/secrets/ops_token:ro
#   -e NEWSBOT_OPS_TOKEN_FILE=/run/secrets/ops_token ... (see README, "Operating newsbot").
ENV NEWSBOT_DB=/data/newsbot.db \
    NEWSBOT_HTTP_ADDR=0.0.0.0:9090 \
    NEWSBOT_LOG_FORMAT=json \
    GOMEMLIMIT=1GiB
VOLUME ["/data"]
EXPOSE 9090
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/newsbot"]
CMD ["run"]
