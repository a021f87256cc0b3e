#!/usr/bin/env bash
# Fails on its first attempt (a cold cache), passes when retried.
set -euo pipefail
echo "smoke tests against $1"
if [ "${COCKPIT_ATTEMPT:-1}" = 1 ]; then
  echo "GET /checkout -> connection reset by peer"
  exit 1
fi
echo "GET /health 200, GET /checkout 200"
