#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/lib.sh"
echo "incident opened: $1"
printf '%s\n' "$1" >> "$STATE/incidents"
