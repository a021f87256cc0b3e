#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/lib.sh"
version=$(cat "$STATE/$1.current" 2>/dev/null || echo "2.3.9")
echo "$1 serves $version: health ok"
