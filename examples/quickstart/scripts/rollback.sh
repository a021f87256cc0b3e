#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/lib.sh"
previous=$(cat "$STATE/$1.previous" 2>/dev/null || echo "2.3.9")
echo "rolling $1 back to $previous"
echo "$previous" > "$STATE/$1.current"
echo "traffic switched back"
