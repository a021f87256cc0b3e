#!/usr/bin/env bash
# deploy.sh ENV VERSION: blue-green switch of a pretend environment.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
env=$1 version=$2
[ -f "$STATE/$env.current" ] && cp "$STATE/$env.current" "$STATE/$env.previous"
[ -f "$STATE/$env.previous" ] || echo "2.3.9" > "$STATE/$env.previous"
echo "deploying $version to the idle slot of $env"
sleep 0.2
echo "switching traffic blue→green"
echo "$version" > "$STATE/$env.current"
echo "$env now serves $version"
