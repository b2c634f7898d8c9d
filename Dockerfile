# syntax=docker/dockerfile:1
# podc: a static, non-root image of the gRPC service.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t podc .
#   docker run -p 50051:50051 podc

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/podc ./cmd/podc

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/podc /usr/local/bin/podc
USER 65532:65532
EXPOSE 50051
ENTRYPOINT ["/usr/local/bin/podc"]
CMD ["serve", "--addr", ":50051", "--log-format", "json"]
