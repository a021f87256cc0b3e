#!/usr/bin/env bash
set -euo pipefail
echo "previous release $1: artifact present, checksum ok"
