#!/usr/bin/env bash
set -euo pipefail
for part in api web worker; do
  echo "compiling $part"
  sleep 0.1
done
echo "build ok"
