#!/usr/bin/env bash
set -euo pipefail
echo "packaging version $1"
echo "using token ${QUICKSTART_DEPLOY_TOKEN:-<none>}"
echo "artifact web-app-$1.tar.gz (3.1 MB)"
