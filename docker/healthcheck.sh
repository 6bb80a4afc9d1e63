#!/bin/bash
# Liveness probe for the HEALTHCHECK: GET /health on this container's PORT, healthy on HTTP 200.
exec 3<>"/dev/tcp/127.0.0.1/${PORT:?PORT not set}" || exit 1
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 3 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
